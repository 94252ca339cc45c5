"""Link evidence said as catalogue sentences with units (zh and en)."""

from __future__ import annotations

import pytest

from techbridge.chains.evidence import link_whys, piece_whys
from techbridge.chains.schemas import Link, NodeShare, Piece, share_text


def _said(link: Link, lang: str) -> list[str]:
    return [why.say(lang) for why in link_whys(link)]


class TestLinkWhys:
    def test_a_revenue_share_is_said_in_per_cent(self) -> None:
        link = Link(1, 2, 0.158, "主营产品", (Piece("主营产品", "柔轮", "柔轮"),), measured=True)
        assert _said(link, "zh") == ["主营产品「柔轮」，占营收 15.8%"]
        assert _said(link, "en") == ["Main product: 柔轮, 15.8% of revenue"]

    def test_an_assumed_weight_says_the_source_gave_no_share(self) -> None:
        link = Link(1, 2, 0.3, "所属行业", (Piece("所属行业", "减速器", "减速器", "2025-08-25"),))
        said = _said(link, "zh")
        assert said == ["所属行业「减速器」，来源未给营收占比，按此类关系计权重 0.30", "数据日期 2025-08-25"]
        assert _said(link, "en")[1] == "data dated 2025-08-25"

    def test_a_resolved_name_is_said_without_its_english_steps(self) -> None:
        piece = Piece("主营产品", "PTA", "精对苯二甲酸", "synonym PTA = 精对苯二甲酸")
        link = Link(1, 2, 0.5, "主营产品", (piece,), measured=True)
        said = _said(link, "zh")
        assert said[1] == "所列名称「PTA」按产业链词表归为「精对苯二甲酸」"
        assert "synonym" not in " ".join(said)
        assert "synonym PTA = 精对苯二甲酸" in link.evidence  # the text evidence keeps the steps

    def test_an_unnamed_relation_shows_its_stored_name(self) -> None:
        link = Link(1, 2, 0.1, "合作伙伴", (Piece("合作伙伴", "轴承", "轴承", "年报"),))
        assert _said(link, "en") == [
            "合作伙伴: 轴承; the source gives no revenue share, so this kind of link weighs 0.10",
            "source note: 年报",
        ]

    def test_a_link_without_pieces_still_says_its_weight(self) -> None:
        assert _said(Link(1, 2, 0.2, "product", ()), "zh") == ["产品「」，来源未给营收占比，按此类关系计权重 0.20"]

    def test_a_plain_piece_adds_nothing(self) -> None:
        assert piece_whys(Piece("主营产品", "柔轮", "柔轮")) == ()

    def test_a_bare_source_code_is_not_shown_to_people(self) -> None:
        piece = Piece("所属行业", "半导体材料", "半导体材料", "270103")
        assert piece_whys(piece) == ()
        assert "270103" in Link(1, 2, 0.3, "所属行业", (piece,)).evidence


class TestShareText:
    @pytest.mark.parametrize(("weight", "text"), [(0.84, "84.0%"), (0.0004, "<0.1%"), (0.0, "0.0%"), (1.0, "100.0%")])
    def test_shares_are_per_cent(self, weight: float, text: str) -> None:
        assert share_text(weight) == text


class TestNodeShareWhy:
    def test_a_measured_share_with_the_links_around_it(self) -> None:
        share = NodeShare(
            3, "精对苯二甲酸", 0.84, 0.857, "", measured=True, relation="主营产品", upstream=2, downstream=3
        )
        assert share.why().say("zh") == "精对苯二甲酸（占营收 84.0%；上游 2 个、下游 3 个环节与之相连）"

    def test_an_assumed_weight_names_the_relation(self) -> None:
        share = NodeShare(11, "炼油化工", 0.3, 0.5, "", relation="所属行业", upstream=1)
        assert share.why().say("zh") == "炼油化工（所属行业，按此类关系计权重 0.30；上游 1 个、下游 0 个环节与之相连）"
        assert (
            share.why().say("en") == "炼油化工 (Industry, weighing 0.30; 1 upstream and 0 downstream links connected)"
        )

    def test_an_unnamed_relation_is_shown_as_stored(self) -> None:
        share = NodeShare(11, "轴承", 0.1, 0.25, "", relation="合作伙伴", downstream=4)
        assert share.why().say("en") == "轴承 (合作伙伴, weighing 0.10; 0 upstream and 4 downstream links connected)"
