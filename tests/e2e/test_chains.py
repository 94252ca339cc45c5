"""The chain map in a real browser: the ECharts graph renders and a node click loads its panel through HTMX."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.unit.chains.seed import seed_chain_graph

pytestmark = pytest.mark.e2e

NODE_POSITION = """() => {
  const el = document.getElementById('chain-map');
  const chart = echarts.getInstanceByDom(el);
  const data = chart.getModel().getSeriesByIndex(0).getData();
  const index = data.indexOfName('精对苯二甲酸');
  const point = data.getItemLayout(index);
  const box = el.getBoundingClientRect();
  const view = chart.getModel().getSeriesByIndex(0).coordinateSystem;
  const [x, y] = view ? view.dataToPoint(point) : point;
  return [box.left + x, box.top + y];
}"""


def test_clicking_a_node_opens_its_panel(live_server: str, page: Any, session: Session) -> None:
    seed_chain_graph(session)
    session.commit()
    page.goto(f"{live_server}/chains/PTA?region=21")
    page.wait_for_selector("#chain-map canvas")
    page.wait_for_timeout(2500)  # let the force layout settle
    x, y = page.evaluate(NODE_POSITION)
    page.mouse.click(x, y)
    page.wait_for_selector("#chart-detail .node-panel", timeout=10000)
    panel = page.inner_text("#chart-detail")
    assert "精对苯二甲酸" in panel
    assert "恒力石化" in panel


def test_report_page_lists_the_consortium(live_server: str, page: Any, session: Session) -> None:
    seed_chain_graph(session)
    session.commit()
    page.goto(f"{live_server}/chains/PTA/report?region=21")
    assert "恒力石化" in page.inner_text("#leaders")
    assert "大连化物所" in page.inner_text("#consortium")
