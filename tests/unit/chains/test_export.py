"""The report workbook: one sheet per part, readable back with openpyxl."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from techbridge.chains.analytics import extract_chain
from techbridge.chains.export import report_workbook
from techbridge.chains.proposals import compose_report
from techbridge.chains.schemas import ChainGraph
from techbridge.chains.service import ChainView, report_json


class TestReportWorkbook:
    def test_sheets_and_rows(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="pta", title="PTA", root_ids=[3], hops=2)
        payload = report_json(ChainView(chain, None, ()), compose_report(graph, chain, "21"))
        book = load_workbook(BytesIO(report_workbook(payload)))
        assert book.sheetnames == ["说明", "薄弱环节", "链主", "招商补链", "覆盖", "创新联合体"]
        leaders = list(book["链主"].iter_rows(values_only=True))
        assert leaders[1][0] == "恒力石化"
        assert "精对苯二甲酸" in leaders[1][3]
        members = [row[1] for row in book["创新联合体"].iter_rows(min_row=2, values_only=True)]
        assert members[0] == "恒力石化"
        weak = list(book["薄弱环节"].iter_rows(min_row=2, values_only=True))
        assert weak[0][0] == "对二甲苯"

    def test_an_english_workbook_names_sheets_columns_and_reasons_in_english(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="pta", title="PTA", root_ids=[3], hops=2)
        payload = report_json(ChainView(chain, None, ()), compose_report(graph, chain, "21"), "all", "en")
        book = load_workbook(BytesIO(report_workbook(payload, "en")))
        assert book.sheetnames == [
            "About",
            "Weak links",
            "Chain leaders",
            "Attraction candidates",
            "Coverage",
            "Innovation consortium",
        ]
        weak = list(book["Weak links"].iter_rows(values_only=True))
        assert weak[0][0] == "Node"
        assert weak[1][0] == "对二甲苯"  # a node's name is data
        assert weak[1][-1] == payload["weak_links"][0]["reason_text"]
        members = list(book["Innovation consortium"].iter_rows(min_row=2, values_only=True))
        assert members[0][:2] == ("Leader", "恒力石化")

    def test_report_without_consortium(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="pta", title="PTA", root_ids=[3], hops=2)
        payload = report_json(ChainView(chain, None, ()), compose_report(graph, chain, "44"))
        book = load_workbook(BytesIO(report_workbook(payload)))
        assert book["创新联合体"].max_row == 1
