"""The saved-search form as typed → the subscription it asks for, each refusal naming its field."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from techbridge.errors import InvalidDataError
from techbridge.models import AchievementKind, Region, RegionLevel, SubscriptionKind
from techbridge.notifications.schemas import SearchForm
from techbridge.notifications.service import search_subscription


class TestSearchFormSubscription:
    def test_every_filter_is_read_from_its_typed_text(self) -> None:
        form = SearchForm(
            q="高镍正极", field=" 新材料 ", trl_min=" 4", trl_max="9", kind="patent", owner_type="university"
        )
        data = form.subscription("2102")
        assert (data.kind, data.query, data.region, data.field) == (
            SubscriptionKind.SEARCH,
            "高镍正极",
            "2102",
            "新材料",
        )
        assert (data.trl_min, data.trl_max, data.achievement_kind, data.owner_type) == (
            4,
            9,
            AchievementKind.PATENT,
            "university",
        )

    def test_blank_filters_are_no_filter(self) -> None:
        data = SearchForm(q="高镍正极").subscription(None)
        assert (data.region, data.field, data.trl_min, data.trl_max, data.achievement_kind, data.owner_type) == (
            (None,) * 6
        )

    @pytest.mark.parametrize(
        ("typed", "location", "message_zh"),
        [
            ({"trl_min": "0"}, "trl_min", "技术成熟度应为 1 到 9 的整数"),
            ({"trl_max": "１２"}, "trl_max", "技术成熟度应为 1 到 9 的整数"),
            ({"kind": "rocket"}, "kind", "未知的选项「rocket」"),
            ({"owner_type": "alien"}, "owner_type", "未知的选项「alien」"),
        ],
    )
    def test_a_bad_filter_is_refused_on_its_field(self, typed: dict[str, str], location: str, message_zh: str) -> None:
        with pytest.raises(InvalidDataError) as caught:
            SearchForm(q="高镍正极", **typed).subscription(None)
        assert caught.value.location == (location,)
        assert caught.value.message_zh == message_zh


class TestSearchSubscription:
    def test_the_region_is_resolved_by_name_first(self, session: Session) -> None:
        session.add(Region(code="2102", name="大连市", level=RegionLevel.CITY))
        session.flush()
        assert search_subscription(session=session, form=SearchForm(q="高镍正极", region="大连")).region == "2102"
        with pytest.raises(InvalidDataError) as caught:
            search_subscription(session=session, form=SearchForm(q="高镍正极", region="火星", kind="rocket"))
        assert caught.value.location == ("region",)
