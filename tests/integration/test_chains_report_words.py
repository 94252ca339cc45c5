"""The chain report as an officer reads it (parsed HTML, zh and en): reasons in sentences of the page's language,
region names instead of codes, companies linked to their pages, no internal method names."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.models import ChainEdge, ChainNode
from techbridge.web.app import create_app
from tests.integration.test_tiers_words import parse
from tests.unit.chains.seed import seed_chain_graph


@pytest.fixture
def client(settings: Settings, session: Session) -> TestClient:
    seed_chain_graph(session)
    session.commit()
    return TestClient(create_app(settings))


def cells(html: str, css_class: str) -> list[str]:
    """The text of every <td> with the class, in order."""
    page = parse(html.replace(f'<td class="{css_class}">', f'<td class="{css_class}" id="x">'))
    return [" ".join(x.split()) for x in page.by_id.get("x", [])]


class TestReportWords:
    @pytest.mark.parametrize(
        ("lang", "single", "region", "province"),
        [
            ("zh", "本地仅有 恒力石化 一家生产，存在单点依赖；下游有", "辽宁省", "浙江省"),
            ("en", "only 恒力石化 produces it in the region: a single point of failure;", "Liaoning", "Zhejiang"),
        ],
    )
    def test_reasons_are_sentences_and_regions_are_names(
        self, client: TestClient, lang: str, single: str, region: str, province: str
    ) -> None:
        html = client.get(f"/chains/PTA/report?region=21&lang={lang}").text
        page = parse(html)
        text = page.visible()
        assert single in text
        assert "single point of failure" not in text if lang == "zh" else "单点依赖" not in text
        assert page.visible("report-region") == region
        candidates = page.visible("candidates")
        assert province in candidates
        assert "33" not in candidates.replace("0.", "")
        assert "rank_texts" not in text
        assert "shared terms" not in text

    def test_companies_link_to_their_pages(self, client: TestClient) -> None:
        page = parse(client.get("/chains/PTA/report?region=21").text)
        links = {a.get("href") for t, a in page.tags if t == "a"}
        assert "/enterprises/100" in links  # the leader 恒力石化
        assert "/enterprises/101" in links  # the candidate 荣盛石化

    def test_a_single_producer_is_linked_beside_its_weak_link(self, client: TestClient) -> None:
        html = client.get("/chains/PTA/report?region=21").text
        weak = html[html.index('id="weak-links"') : html.index('id="leaders"')]
        assert re.search(r'本地生产企业：\s*<a href="/enterprises/100">恒力石化</a>', weak)


class TestNodePanel:
    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_producers_show_region_names_and_links_and_no_method(self, client: TestClient, lang: str) -> None:
        html = client.get(f"/chains/PTA/nodes/2?region=21&lang={lang}", headers={"HX-Request": "true"}).text
        page = parse(html)
        text = page.visible()
        assert ("浙江省" if lang == "zh" else "Zhejiang") in text  # 荣盛石化, 恒逸石化 elsewhere
        assert ("辽阳市" if lang == "zh" else "Liaoyang") in text  # 辽阳石化, in the region
        assert ("Zhejiang" not in text) if lang == "zh" else ("浙江省" not in text)
        assert "rank_texts" not in text
        assert "shared terms" not in text
        assert re.search(r"\b(21|33|2110|2107)\b", text) is None
        links = {a.get("href") for t, a in page.tags if t == "a"}
        assert {"/enterprises/106", "/enterprises/101"} <= links


class TestJunkNodes:
    def test_a_stoplisted_product_is_not_a_weak_link(self, settings: Settings, session: Session) -> None:
        seed_chain_graph(session)
        session.add(ChainNode(id=50, kind="product", name="足球发电机", source_dataset="test"))
        session.flush()
        session.add(ChainEdge(src_id=50, dst_id=3, relation="上游材料", weight=1.0, source_dataset="chain_kg"))
        session.commit()
        client = TestClient(create_app(settings))
        assert "足球发电机" in client.get("/api/chains/PTA?region=21").text  # still on the map
        page = parse(client.get("/chains/PTA/report?region=21").text)
        assert "足球发电机" not in page.visible("weak-links")
        assert "水洗面料" not in page.visible("weak-links")  # no producer, no sub-product, nothing depends on it
        assert "原油" in page.visible("weak-links")  # a real gap: the chain depends on it


class TestApiText:
    @pytest.mark.parametrize(
        ("lang", "single", "relevance"),
        [
            ("zh", "本地仅有 恒力石化 一家生产，存在单点依赖", "关键词相关度"),
            ("en", "only 恒力石化 produces it in the region", "keyword relevance"),
        ],
    )
    def test_reasons_are_said_in_the_readers_language(
        self, client: TestClient, lang: str, single: str, relevance: str
    ) -> None:
        body = client.get(f"/api/chains/PTA/report?region=21&lang={lang}").json()
        texts = {w["name"]: w["reason_text"] for w in body["weak_links"] if w["kind"] == "single"}
        assert texts["精对苯二甲酸"].startswith(single)
        assert relevance in body["relevance_text"]
        assert body["relevance_method"]  # the machine name stays for programs
        assert all(c["reason_text"] for c in body["candidates"])
        members = body["consortium"]["members"]
        assert all(m["reasons_text"] for m in members)
        assert not any("rank_texts" in text for m in members for text in m["reasons_text"])


class TestEvidenceWords:
    @pytest.mark.parametrize(
        ("lang", "share", "resolved"),
        [
            ("zh", "主营产品「精对苯二甲酸」，占营收 84.0%", "所列名称「PTA」按产业链词表归为「精对苯二甲酸」"),
            ("en", "Main product: 精对苯二甲酸, 84.0% of revenue", "the listed name «PTA» is read as 精对苯二甲酸"),
        ],
    )
    def test_node_panel_evidence_is_sentences_with_units(
        self, client: TestClient, lang: str, share: str, resolved: str
    ) -> None:
        html = client.get(f"/chains/PTA/nodes/3?region=21&lang={lang}", headers={"HX-Request": "true"}).text
        text = " ".join(parse(html).visible().split())
        assert share in text
        assert resolved in text
        for machine in ("→", "synonym", "removed", "0.840", "0.600"):
            assert machine not in text
        assert ("占营收 60.0%" if lang == "zh" else "60.0% of revenue") in text  # 荣盛石化 elsewhere

    @pytest.mark.parametrize(
        ("lang", "measured"),
        [
            ("zh", "精对苯二甲酸（占营收 84.0%；上游 2 个、下游 3 个环节与之相连）"),
            ("en", "精对苯二甲酸 (84.0% of revenue; 2 upstream and 3 downstream links connected)"),
        ],
    )
    def test_leaders_evidence_is_sentences_with_units(self, client: TestClient, lang: str, measured: str) -> None:
        html = client.get(f"/chains/PTA/report?region=21&lang={lang}").text
        evidence = cells(html, "muted evidence")
        assert evidence
        assert measured in evidence[0]  # 恒力石化
        assert not any("×" in cell or re.search(r"\d\.\d\d\b", cell) for cell in evidence)


class TestRegionByName:
    def test_a_report_takes_its_region_by_name(self, client: TestClient) -> None:
        by_name = parse(client.get("/chains/PTA/report?region=辽宁").text)
        by_code = parse(client.get("/chains/PTA/report?region=21").text)
        assert by_name.visible("report-region") == "辽宁省"
        assert by_name.visible("weak-links") == by_code.visible("weak-links")

    def test_the_map_shows_its_region_with_its_name(self, client: TestClient) -> None:
        assert parse(client.get("/chains/PTA?region=大连").text).visible("map-region") == "大连市 (2102)"

    def test_a_region_naming_nothing_is_refused(self, client: TestClient) -> None:
        assert client.get("/chains/PTA/report?region=火星").status_code == 422
