"""Documentation that is generated must be current (style notes §6)."""

from pathlib import Path

from chipcustoms.assess.pipeline import References
from chipcustoms.assess.reasons import markdown
from chipcustoms.cli.main import app

ROOT = Path(__file__).resolve().parents[1]


def test_reason_code_reference_is_current(refs: References) -> None:
    assert (ROOT / "docs" / "reasons.md").read_text(encoding="utf-8") == markdown(refs), (
        "run: chipcustoms reasons --markdown > docs/reasons.md"
    )


def test_scenario_table_is_current() -> None:
    from scenario_docs import markdown as scenarios_markdown

    assert (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8") == scenarios_markdown(), (
        "run: PYTHONPATH=src python tests/scenario_docs.py > docs/scenarios.md"
    )


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]
    missing = [n for n in names if f"chipcustoms {n}" not in readme]
    assert not missing, f"commands missing from the README: {missing}"


def test_every_module_is_in_the_architecture_doc() -> None:
    """Every module of every subpackage has its line (migrations aside: they are listed as one)."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    pkg = ROOT / "src" / "chipcustoms"
    missing = []
    for p in sorted(pkg.rglob("*.py")):
        rel = p.relative_to(pkg)
        if p.name in ("__init__.py", "__main__.py") or rel.parts[:2] == ("store", "migrations"):
            continue
        if rel.as_posix() not in doc and f"{rel.parent.as_posix()}/` (" not in doc:
            missing.append(rel.as_posix())
    assert not missing, f"modules missing from docs/architecture.md: {missing}"


def test_no_two_modules_share_a_name() -> None:
    pkg = ROOT / "src" / "chipcustoms"
    seen: dict[str, str] = {}
    clashes = []
    for p in sorted(pkg.rglob("*.py")):
        rel = p.relative_to(pkg)
        if p.name in ("__init__.py", "__main__.py", "base.py") or "migrations" in rel.parts:
            continue
        if p.stem in seen:
            clashes.append((seen[p.stem], rel.as_posix()))
        seen[p.stem] = rel.as_posix()
    assert not clashes


def test_no_module_over_400_lines() -> None:
    pkg = ROOT / "src" / "chipcustoms"
    big = {
        p.relative_to(pkg).as_posix(): n
        for p in pkg.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not big, big
