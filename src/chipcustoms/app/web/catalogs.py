"""Building the pages' gettext catalogs: extract, merge the translations, compile.

``python -m chipcustoms.app.web.catalogs`` extracts every string the templates and page code
mark (``babel.cfg``) into ``locale/messages.pot``, writes ``locale/zh_CN/LC_MESSAGES/
messages.po`` from it and the translations kept in ``locale/zh_CN.yaml`` (a reviewer edits one
YAML mapping, not a .po file), and compiles ``messages.mo``. All three are committed;
tests/test_i18n.py rebuilds them in memory and fails when a committed file is stale or a
marked string has no translation.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from chipcustoms.run.summary_text import LOCALE_DIR

ROOT = LOCALE_DIR.parents[2]  # the repository (src/chipcustoms/locale -> ..)
LANG = "zh_CN"
# A fixed creation date: the .mo carries the catalog's header, and a clock in it would make
# every rebuild differ from the committed file.
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def extract(root: Path = ROOT) -> Catalog:
    """Every marked string, sorted, without source locations (stable diffs)."""
    with open(root / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    pot = Catalog(project="chipcustoms", fuzzy=False, creation_date=EPOCH, revision_date=EPOCH)
    for _, _, message, comments, context in extract_from_dir(str(root), method_map, options_map):
        pot.add(message, None, auto_comments=comments, context=context)
    return pot


def translated(pot: Catalog, lang: str = LANG) -> tuple[Catalog, list[str]]:
    """The catalog of ``lang`` and the msgids that have no translation yet."""
    words = yaml.safe_load((LOCALE_DIR / f"{lang}.yaml").read_text(encoding="utf-8")) or {}
    po = Catalog(
        locale=lang, project="chipcustoms", fuzzy=False, creation_date=EPOCH, revision_date=EPOCH
    )
    missing: list[str] = []
    for m in sorted(pot, key=lambda m: str(m.id)):
        if not m.id:
            continue
        ids: tuple[str, ...] = tuple(m.id) if isinstance(m.id, (tuple, list)) else (m.id,)
        strings = tuple(str(words.get(i) or "") for i in ids)
        missing += [i for i, s in zip(ids, strings, strict=True) if not s]
        po.add(m.id, strings if len(ids) > 1 else strings[0])
    return po, missing


def files(root: Path = ROOT) -> dict[Path, bytes]:
    """What the committed files must hold: path -> bytes."""
    pot = extract(root)
    po, _ = translated(pot)
    out: dict[Path, bytes] = {}
    for path, cat, writer in (
        (LOCALE_DIR / "messages.pot", pot, "po"),
        (LOCALE_DIR / LANG / "LC_MESSAGES" / "messages.po", po, "po"),
        (LOCALE_DIR / LANG / "LC_MESSAGES" / "messages.mo", po, "mo"),
    ):
        buf = io.BytesIO()
        if writer == "po":
            write_po(buf, cat, omit_header=True, sort_output=True, no_location=True)
        else:
            write_mo(buf, cat)
        out[path] = buf.getvalue()
    return out


def main() -> None:
    for path, data in files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
