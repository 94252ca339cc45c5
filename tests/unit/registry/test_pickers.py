"""Pickers: options by name with visibility applied, and typed or picked names resolved to exactly one record."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from techbridge.access import ANONYMOUS, Viewer
from techbridge.errors import InvalidDataError
from techbridge.models import OrgKind, Role, Visibility
from techbridge.registry.pickers import pick_options, resolve_pick, resolve_region
from tests.registry_seed import make_achievement, make_organization, make_regions, make_user


@pytest.fixture
def owner(session: Session) -> Viewer:
    make_regions(session)
    user = make_user(session, "inst", Role.INSTITUTION)
    make_achievement(session, "谐波减速器柔轮")
    make_achievement(session, "谐波减速器刚轮")
    make_achievement(session, "同名成果")
    make_achievement(session, "同名成果")
    make_achievement(session, "保密的谐波减速器", visibility=Visibility.OWNER, owner_id=user.id)
    return Viewer(user_id=user.id, role=Role.INSTITUTION)


class TestPickOptions:
    def test_options_contain_the_typed_text_and_only_what_the_viewer_may_see(
        self, session: Session, owner: Viewer
    ) -> None:
        anonymous = [o.label for o in pick_options(session, ANONYMOUS, "achievement", "谐波减速器")]
        mine = [o.label for o in pick_options(session, owner, "achievement", "谐波减速器")]
        assert sorted(anonymous) == ["谐波减速器刚轮", "谐波减速器柔轮"]
        assert "保密的谐波减速器" in mine

    def test_a_picked_option_resolves_to_its_record(self, session: Session, owner: Viewer) -> None:
        option = pick_options(session, ANONYMOUS, "achievement", "柔轮")[0]
        assert option.value.endswith(f"[#{option.key}]")
        assert resolve_pick(session, ANONYMOUS, "achievement", option.value, "achievement") == int(option.key)


class TestResolvePick:
    def test_a_typed_name_naming_one_record_resolves(self, session: Session, owner: Viewer) -> None:
        assert resolve_pick(session, ANONYMOUS, "achievement", "谐波减速器柔轮", "achievement") > 0

    def test_a_name_naming_nothing_or_several_is_an_error_on_the_field(self, session: Session, owner: Viewer) -> None:
        with pytest.raises(InvalidDataError) as nothing:
            resolve_pick(session, ANONYMOUS, "achievement", "不存在的成果", "achievement")
        with pytest.raises(InvalidDataError) as several:
            resolve_pick(session, ANONYMOUS, "achievement", "同名成果", "achievement")
        assert nothing.value.location == ("achievement",)
        assert "多条" in (several.value.message_zh or "")

    def test_a_private_record_does_not_resolve_for_others(self, session: Session, owner: Viewer) -> None:
        with pytest.raises(InvalidDataError):
            resolve_pick(session, ANONYMOUS, "achievement", "保密的谐波减速器", "achievement")
        assert resolve_pick(session, owner, "achievement", "保密的谐波减速器", "achievement") > 0


class TestResolveOrganization:
    def test_an_organization_resolves_by_its_credit_code_as_typed_or_by_its_name(self, session: Session) -> None:
        org = make_organization(session, "沈阳新松机器人", OrgKind.ENTERPRISE, credit_code="91210100604607919A")
        assert resolve_pick(session, ANONYMOUS, "enterprise", "91210100604607919a", "owner") == org.id
        assert resolve_pick(session, ANONYMOUS, "organization", "沈阳新松机器人", "owner") == org.id

    def test_a_private_organizations_credit_code_does_not_resolve_for_others(self, session: Session) -> None:
        make_organization(session, "保密企业", OrgKind.ENTERPRISE, credit_code="91210100604607919A", visibility="owner")
        with pytest.raises(InvalidDataError) as hidden:
            resolve_pick(session, ANONYMOUS, "enterprise", "91210100604607919A", "owner")
        assert hidden.value.location == ("owner",)


class TestResolveRegion:
    @pytest.mark.parametrize(
        ("typed", "code"), [("辽宁", "21"), ("辽宁省", "21"), ("大连", "2102"), ("大连市", "2102"), ("2101", "2101"),
                            ("大连市 [2102]", "2102")],
    )  # fmt: skip
    def test_codes_full_and_short_names_resolve(self, session: Session, owner: Viewer, typed: str, code: str) -> None:
        assert resolve_region(session, typed, "city") == code

    def test_an_unknown_region_is_an_error_naming_the_field(self, session: Session, owner: Viewer) -> None:
        with pytest.raises(InvalidDataError) as error:
            resolve_region(session, "火星", "city")
        assert error.value.location == ("city",)
