"""Build ``negatives.csv``: goods descriptions that share an accelerator's vocabulary but are not
accelerators, from public nomenclatures and product taxonomies (README.md beside this file).

Why a script: the sources are large public files; only what survives the filters below is kept,
and the filters are the argument that every kept line is certainly not an accelerator. Each
source is read from a local git snapshot (``--mirror``, one folder per ``owner+name``) at the
commit the README names, so the file can be rebuilt and checked line by line.

    python benchmarks/data/negatives/build.py --mirror /work/.mirror
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
from pathlib import Path

import yaml

HERE = Path(__file__).parent
# Headings whose scope holds accelerators (data-processing machines and their units, their
# parts, integrated circuits incl. processors, electrical machines n.e.s.): left out whole.
CN_HEADINGS_OUT = {"8471", "8473", "8542", "8543"}
CN_CHAPTERS = {"84", "85", "90"}
CN_LANGUAGES = ["de", "fr", "es", "it", "nl", "pl", "pt", "cs", "bg", "el"]
# Any text whose English source names something that could be or carry an accelerator.
EN_OUT = re.compile(
    r"graphic|video (?:card|capture|adapter)|processor|processing unit|data.processing|"
    r"accelerat|artificial intelligence|machine learning|deep learning|neural|\bai\b|gpu|"
    r"server|supercomput|coprocessor|tensor|mining|cryptocurrenc|integrated circuit|"
    r"computer components|motherboard|interface card|expansion card|computing|video memory|"
    r"circuit board",
    re.IGNORECASE,
)
ZH_OUT = re.compile(
    r"显卡|显示卡|图形|图像处理|处理器|处理单元|服务器|加速|人工智能|智能|神经|计算机|电脑|"
    r"芯片|集成电路|运算|算力|主板|板卡|计算|数据处理|矿机|挖矿|GPU|AI|CPU",
    re.IGNORECASE,
)
DE_OUT = re.compile(
    r"grafik|video|prozessor|server|beschleunig|künstlich|\bki\b|neuronal|computerkomponent|"
    r"steckkarte|mainboard|platine|speicher|mining|krypto|rechenleistung",
    re.IGNORECASE,
)
ZH_CLASSES = ["07", "09", "10", "11", "12"]  # machines, apparatus, medical, appliances, vehicles
GOOGLE_LANGS = {
    "en": "turahe+google-product-categories",
    "de": "exocode+google-merchant-categories-JSON",
}


def _show(mirror: Path, repo: str, path: str) -> str:
    git = mirror / repo / "repo"
    return subprocess.run(
        ["git", "-C", str(git), "show", f"HEAD:{path}"], capture_output=True, check=True, text=True
    ).stdout


def _keep(text: str) -> bool:
    t = text.strip()
    return len(t) >= 8 and not re.match(r"(?i)^other\b", t)


def harmonized(mirror: Path) -> list[tuple[str, str, str]]:
    rows = csv.DictReader(
        _show(mirror, "datasets+harmonized-system", "data/harmonized-system.csv").splitlines()
    )
    out = []
    for r in rows:
        code = r["hscode"]
        if code[:2] in CN_CHAPTERS and code[:4] not in CN_HEADINGS_OUT:
            text = r["description"]
            if _keep(text) and not EN_OUT.search(text):
                out.append((text, "en", "hs2017"))
    return out


def combined_nomenclature(mirror: Path) -> list[tuple[str, str, str]]:
    repo = "xterr+php-cncodes"
    names: set[str] = set()
    for part in ("Headings", "Subheadings", "Codes"):
        for e in json.loads(_show(mirror, repo, f"Resources/cn{part}_2026.json")):
            code = e["code"]
            read = e["chapter"] in CN_CHAPTERS and code[:4] not in CN_HEADINGS_OUT
            if read and _keep(e["name"]) and not EN_OUT.search(e["name"]):
                names.add(e["name"])
    out = [(n, "en", "cn2026") for n in sorted(names)]
    for lang in CN_LANGUAGES:
        table = yaml.safe_load(_show(mirror, repo, f"Resources/translations/messages_{lang}.yaml"))
        out += [(str(table[n]), lang, "cn2026") for n in sorted(names) if n in table]
    return out


def google(mirror: Path) -> list[tuple[str, str, str]]:
    nodes = json.loads(_show(mirror, GOOGLE_LANGS["en"], "google_products_categories.json"))
    by_id = {n["id"]: n for n in nodes}

    def path(n: dict[str, object]) -> str:
        parent = by_id.get(n["parent_id"])  # type: ignore[arg-type]
        return n["title"] if parent is None else f"{path(parent)} > {n['title']}"  # type: ignore[return-value]

    out = [(str(n["title"]), "en", "google") for n in nodes if not EN_OUT.search(path(n))]
    german = _show(mirror, GOOGLE_LANGS["de"], "taxonomy-with-ids.de-DE.txt")
    out += [
        (p.rpartition(" > ")[2], "de", "google")
        for _, p in _taxonomy(german)
        if not DE_OUT.search(p)
    ]
    return [r for r in out if _keep(r[0])]


def _taxonomy(text: str) -> list[tuple[str, str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("#") or " - " not in line:
            continue
        i, _, path = line.partition(" - ")
        rows.append((i.strip(), path.strip()))
    return rows


def trademarks(mirror: Path) -> list[tuple[str, str, str]]:
    out = []
    for cls in ZH_CLASSES:
        for e in json.loads(_show(mirror, "xovel+trademark-classification", f"data/d/{cls}.json")):
            name = e["name"].strip()
            if e["isParent"] == "false" and len(name) >= 2 and not ZH_OUT.search(name):
                out.append((name, "zh", "cn-trademark"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mirror", type=Path, required=True)
    args = ap.parse_args()
    rows = harmonized(args.mirror) + combined_nomenclature(args.mirror) + google(args.mirror)
    rows += trademarks(args.mirror)
    seen: set[str] = set()
    with (HERE / "negatives.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["description", "language", "source", "is_accelerator"])
        for text, lang, src in rows:
            key = " ".join(text.split()).lower()
            if key not in seen:
                seen.add(key)
                w.writerow([" ".join(text.split()), lang, src, "false"])
    print(len(seen), "lines")


if __name__ == "__main__":
    main()
