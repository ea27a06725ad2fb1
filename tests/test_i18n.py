"""The officer's language: catalogs current and complete, the language chosen per request
(?lang= remembered in a cookie, Accept-Language), Chinese pages and reason messages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipcustoms.app.web.catalogs import extract, files, translated
from chipcustoms.assess.pipeline import References
from chipcustoms.policy.messages import localise, rules_by_ref
from server_fixtures import Served
from web_fixtures import client, serving


def test_catalogs_are_current_and_complete() -> None:
    """The committed .pot/.po/.mo are what the build writes (python -m
    chipcustoms.app.web.catalogs), and every marked string has a Chinese translation."""
    for path, data in files().items():
        assert path.read_bytes() == data, f"{path.name} is stale: rebuild the catalogs"
    _, missing = translated(extract())
    assert missing == []


@pytest.fixture
def web(tmp_path: Path, fixtures: Path, refs: References) -> Iterator[Served]:
    with serving("sqlite", tmp_path, fixtures, refs) as s:
        yield s


def test_language_per_request_and_remembered(web: Served) -> None:
    c = client(web, "adam")
    en = c.get("/queue").text
    assert '<html lang="en">' in en and "<h1>Queue</h1>" in en
    zh = c.get("/queue", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    assert '<html lang="zh-CN">' in zh and "<h1>布控队列</h1>" in zh
    assert "<h1>Queue</h1>" in c.get("/queue", headers={"Accept-Language": "de,en"}).text
    switched = c.get("/overview?lang=zh-CN")
    assert switched.cookies.get("lang") == "zh-CN" and "<h1>概览</h1>" in switched.text
    assert "按月份的申报与布控货值（美元）" in switched.text  # chart titles through the catalog too
    assert "<h1>布控队列</h1>" in c.get("/queue").text  # the cookie remembers it
    assert "<h1>Queue</h1>" in c.get("/queue?lang=en").text
    assert "<h1>Queue</h1>" in c.get("/queue").text


def test_reason_messages_in_chinese_from_the_pack(web: Served, refs: References) -> None:
    c = client(web, "adam")
    en = c.get("/line/D1/1?lang=en").text
    assert "named in the October 2025 customs checks" in en
    zh = c.get("/line/D1/1?lang=zh-CN").text
    assert re.search(r"<td>\S*H20\S* 进口至中国：属 2025 年 10 月海关检查点名的型号。</td>", zh)
    assert "named in the October 2025 customs checks" not in zh


def test_localise_fills_the_chinese_template_with_the_evidence(refs: References) -> None:
    rules = rules_by_ref(lp.pack for lp in refs.packs)
    ref = next(k for k, r in rules.items() if r.code == "CN_SCRUTINY_ADVANCED")
    reason = {"code": "CN_SCRUTINY_ADVANCED", "source": "rule", "message": "english",
              "evidence": json.dumps({"rule": ref, "accelerator_model": "H100 SXM",
                                      "eccn": "3A090.a", "tpp": 15832.9,
                                      "destination_country": "CN", "accelerator_id": "x"})}
    assert localise(reason, rules, "zh-CN") == (
        "H100 SXM 为境外先进加速器（美国 ECCN 3A090.a，TPP 15833，仅供参考），进口至 CN："
        "属 2025 年 10 月海关检查范围。")
    assert localise(reason, rules, "en") == "english"
    old = {**reason, "evidence": json.dumps({"rule": ref})}  # stored before message_zh
    assert localise(old, rules, "zh-CN") == "english"
