"""Template filters: highlighted pieces become escaped HTML with the hits marked."""

from __future__ import annotations

from techbridge.matching.schemas import Segment, highlight
from techbridge.web.formatters import format_marked


def test_hits_are_marked_and_every_piece_is_escaped() -> None:
    pieces = [Segment("<b>锂", False), Segment("电池", True), Segment("&正极", False)]
    assert format_marked(pieces) == "&lt;b&gt;锂<mark>电池</mark>&amp;正极"


def test_a_highlighted_title_reads_back_as_its_text() -> None:
    html = format_marked(highlight("高镍三元正极材料的制备", ["正极", "制备"]))
    assert html == "高镍三元<mark>正极</mark>材料的<mark>制备</mark>"
