"""The seams between stages hold: the pure assessment never reaches for the store."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSESS = ROOT / "src" / "chipcustoms" / "assess"


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_assess_imports_nothing_from_the_store() -> None:
    offenders = {
        p.name: sorted(n for n in _imported(p) if n.startswith("chipcustoms.store"))
        for p in sorted(ASSESS.glob("*.py"))
    }
    assert not {k: v for k, v in offenders.items() if v}, offenders


def test_loading_references_and_assessing_never_opens_the_store() -> None:
    """In a fresh process: load the references and assess a batch; the store package is never
    even imported (its scorers are the run layer's to build, run/references.py)."""
    code = (
        "import sys\n"
        "from chipcustoms.assess.pipeline import References, assess\n"
        "from chipcustoms.assess.selection import Budgets\n"
        "from chipcustoms.lines.ingest import read_and_ingest\n"
        "from chipcustoms.lines.mapping import load_mapping\n"
        f"lines = read_and_ingest({str(ROOT / 'tests' / 'fixtures' / 'lines.csv')!r}, "
        "load_mapping(None)).accepted\n"
        "out, _ = assess(lines, References.load(), Budgets(red=0.3, yellow=0.3, blue=0.2))\n"
        "assert out.height == lines.height\n"
        "print(sorted(m for m in sys.modules if m.startswith('chipcustoms.store')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_store_and_assess_modules_are_under_400_lines() -> None:
    """The narrow store and the pure assessment stay split by what each module owns."""
    pkg = ROOT / "src" / "chipcustoms"
    big = {
        p.relative_to(pkg).as_posix(): n
        for sub in ("store", "assess")
        for p in (pkg / sub).glob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not big, big
