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


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]
    missing = [n for n in names if f"chipcustoms {n}" not in readme]
    assert not missing, f"commands missing from the README: {missing}"


def test_every_module_is_in_the_architecture_doc() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = sorted(p.stem for p in (ROOT / "src" / "chipcustoms").glob("*.py"))
    missing = [
        m
        for m in modules
        if m not in ("__init__", "__main__") and f"{m}.py" not in doc and f"`{m}" not in doc
    ]
    assert not missing, f"modules missing from docs/architecture.md: {missing}"
