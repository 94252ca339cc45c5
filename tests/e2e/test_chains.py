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


def settled_position(page: Any, tries: int = 60, still: int = 3) -> tuple[float, float]:
    """The node's position once the force layout has stopped moving it (`still` reads in a row, 250 ms apart,
    within half a pixel): a fixed wait let the click land where a neighbour had moved to on a slow run."""
    last, unmoved = page.evaluate(NODE_POSITION), 0
    for _ in range(tries):
        page.wait_for_timeout(250)
        now = page.evaluate(NODE_POSITION)
        unmoved = unmoved + 1 if abs(now[0] - last[0]) < 0.5 and abs(now[1] - last[1]) < 0.5 else 0
        if unmoved >= still:
            return float(now[0]), float(now[1])
        last = now
    raise AssertionError(f"the chain map's layout was still moving after {tries * 250 / 1000:.0f} s")


def test_clicking_a_node_opens_its_panel(live_server: str, page: Any, session: Session) -> None:
    seed_chain_graph(session)
    session.commit()
    page.goto(f"{live_server}/chains/PTA?region=21")
    page.wait_for_selector("#chain-map canvas")
    panel = ""
    for _attempt in range(3):  # on a loaded machine the layout can drift after it looked settled: a click that
        # landed on a neighbour opened the neighbour's panel, so the position is read again and the click repeated
        x, y = settled_position(page)
        page.mouse.click(x, y)
        page.wait_for_selector("#chart-detail .node-panel", timeout=10000)
        panel = page.inner_text("#chart-detail")
        if "精对苯二甲酸" in panel:
            break
        page.mouse.click(5, 5)  # away from the chart, so the next click is a fresh one
    assert "精对苯二甲酸" in panel
    assert "恒力石化" in panel


def test_report_page_lists_the_consortium(live_server: str, page: Any, session: Session) -> None:
    seed_chain_graph(session)
    session.commit()
    page.goto(f"{live_server}/chains/PTA/report?region=21")
    assert "恒力石化" in page.inner_text("#leaders")
    assert "大连化物所" in page.inner_text("#consortium")
