"""Explicit, typed seed rows for the registry portal tests (until `techbridge import all` fills a real DB)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from sqlalchemy.orm import Session

from techbridge.accounts.service import hash_password
from techbridge.models import (
    Achievement,
    AchievementKind,
    AchievementOwner,
    ChainNode,
    CodeEntry,
    Demand,
    EnterpriseNode,
    Expert,
    Organization,
    OrgKind,
    Region,
    RegionLevel,
    Role,
    User,
    Visibility,
)

PASSWORD = "correct-horse-9"


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One argon2 hash of PASSWORD for every seeded user (hashing is slow on purpose)."""
    return hash_password(PASSWORD)


def make_user(session: Session, username: str, role: Role, organization_id: int | None = None) -> User:
    """A user signing in with PASSWORD."""
    user = User(
        username=username,
        display_name=username,
        password_hash=password_hash(),
        role=role,
        organization_id=organization_id,
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class Seed:
    """Ids of the seeded rows."""

    owner_id: int
    other_id: int
    officer_id: int
    enterprise_id: int
    hidden_enterprise_id: int
    university_id: int
    carrier_id: int
    expert_id: int
    public_achievement_id: int
    registered_achievement_id: int
    private_achievement_id: int
    public_demand_id: int
    private_demand_id: int


def make_regions(session: Session) -> None:
    """Liaoning, Shenyang and Dalian."""
    session.add(Region(code="21", name="辽宁省", level=RegionLevel.PROVINCE, parent_code=None))
    session.flush()
    session.add_all(
        [
            Region(code="2101", name="沈阳市", level=RegionLevel.CITY, parent_code="21"),
            Region(code="2102", name="大连市", level=RegionLevel.CITY, parent_code="21"),
        ]
    )
    session.flush()


def make_organization(session: Session, name: str, kind: OrgKind, **values: object) -> Organization:
    """One organization with a normalized name."""
    org = Organization(name=name, normalized_name=name, kind=kind, **values)
    session.add(org)
    session.flush()
    return org


def make_achievement(session: Session, title: str, **values: object) -> Achievement:
    """One achievement (a patent unless told)."""
    values.setdefault("kind", AchievementKind.PATENT)
    achievement = Achievement(title=title, **values)
    session.add(achievement)
    session.flush()
    return achievement


def seed_registry(session: Session) -> Seed:
    """A small registry covering every entity type and every visibility."""
    make_regions(session)
    enterprise = make_organization(
        session,
        "沈阳新松机器人自动化股份有限公司",
        OrgKind.ENTERPRISE,
        region_code="2101",
        province_code="21",
        credit_code="91210100604607919A",
        listing_code="300024.SZ",
        industry_codes=["3491"],
        shenwan_industries=["机械设备"],
    )
    owner = make_user(session, "ent", Role.ENTERPRISE, enterprise.id)
    other = make_user(session, "other", Role.BROKER)
    officer = make_user(session, "officer", Role.OFFICER)
    hidden = make_organization(
        session, "保密企业有限公司", OrgKind.ENTERPRISE, visibility=Visibility.OWNER, owner_id=owner.id
    )
    university = make_organization(session, "大连理工大学", OrgKind.UNIVERSITY, region_code="2102")
    carrier = make_organization(session, "沈阳中试基地", OrgKind.CARRIER, carrier_type="pilot_base")
    session.add(CodeEntry(scheme="gbt4754", code="3491", title="工业机器人制造", level=4))
    session.add(CodeEntry(scheme="ipc", code="B25J", title="机械手", level=3))
    node = ChainNode(kind="product", name="工业机器人", source_dataset="test")
    session.add(node)
    session.flush()
    session.add(
        EnterpriseNode(
            organization_id=enterprise.id, node_id=node.id, relation="主营产品", weight=0.62, source_dataset="test"
        )
    )
    expert = Expert(
        name="王教授",
        affiliation_id=university.id,
        affiliation_name="大连理工大学",
        email="wang@dlut.edu.cn",
        phone="0411-1234",
        contact_visibility=Visibility.REGISTERED,
        programme_tags=["兴辽英才"],
    )
    session.add(expert)
    session.flush()
    public = make_achievement(
        session,
        "一种六轴工业机器人关节减速器",
        year=2021,
        trl=6,
        keywords=["减速器"],
        ipc_codes=["B25J"],
        transfer_modes=["license"],
        region_code="2101",
    )
    registered = make_achievement(session, "注册可见的焊接机器人技术", year=2020, visibility=Visibility.REGISTERED)
    private = make_achievement(
        session,
        "仅所有者可见的视觉检测算法",
        year=2022,
        visibility=Visibility.OWNER,
        owner_id=owner.id,
        kind=AchievementKind.SOFTWARE,
    )
    session.add_all(
        [
            AchievementOwner(achievement_id=public.id, organization_id=enterprise.id),
            AchievementOwner(achievement_id=public.id, expert_id=expert.id),
            AchievementOwner(achievement_id=private.id, organization_id=enterprise.id),
        ]
    )
    public_demand = Demand(
        title="高精度减速器寿命提升",
        enterprise_id=enterprise.id,
        budget=Decimal("120.5"),
        deadline=date(2027, 6, 30),
        region_code="2101",
    )
    private_demand = Demand(
        title="保密的工艺需求", enterprise_id=enterprise.id, visibility=Visibility.OWNER, owner_id=owner.id
    )
    session.add_all([public_demand, private_demand])
    session.flush()
    return Seed(
        owner_id=owner.id,
        other_id=other.id,
        officer_id=officer.id,
        enterprise_id=enterprise.id,
        hidden_enterprise_id=hidden.id,
        university_id=university.id,
        carrier_id=carrier.id,
        expert_id=expert.id,
        public_achievement_id=public.id,
        registered_achievement_id=registered.id,
        private_achievement_id=private.id,
        public_demand_id=public_demand.id,
        private_demand_id=private_demand.id,
    )


def make_many_achievements(session: Session, count: int, prefix: str = "批量成果") -> None:
    """`count` public patents titled "<prefix> 001" … with years cycling 2015–2024."""
    session.add_all(
        Achievement(kind=AchievementKind.PATENT, title=f"{prefix} {i:03d}", year=2015 + i % 10) for i in range(count)
    )
    session.flush()
