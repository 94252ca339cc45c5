"""A deterministic, seeded demonstration set (演示数据) built on the registry's real organizations: contracts,
transfer cases with their events (placeholder brokers who cannot sign in) and challenges, every row flagged `is_demo`.

It is never mixed into real figures: metrics read `is_demo = false` unless asked for the demo set, and the dashboard
shows demo figures (labelled) only while no real contract exists. `load_demo` does nothing when real contracts
exist or when the demo set is already loaded, so `make run` may call it every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from techbridge.access import SYSTEM, Viewer
from techbridge.accounts.queries import get_user_by_username
from techbridge.accounts.service import viewer_for
from techbridge.challenges.service import ChallengeCreate, publish_challenge
from techbridge.models import Contract, OrgKind, Role, Stage, User
from techbridge.transfers import queries
from techbridge.transfers.dashboard import city_names
from techbridge.transfers.metrics import city_of
from techbridge.transfers.pipeline import CaseCreate, advance_case, close_case, closing_reasons, create_case

DEFAULT_SEED = 20261125
CONTRACTS = 480
CASES = 48
FIELDS = ("装备制造", "新材料", "电子信息", "生物医药", "能源", "化工", "农业", "资源环境")
TYPES = ("development", "development", "transfer", "license", "consulting", "service", "service")
OUT_OF_PROVINCE = ("110108", "310115", "320506", "440305", "370212", "120116", "220104", "230103")
FALLBACK_SELLERS = (
    ("大连理工大学", "university", "210211"),
    ("东北大学", "university", "210102"),
    ("中国科学院金属研究所", "institute", "210103"),
    ("中国科学院大连化学物理研究所", "institute", "210204"),
    ("中国科学院沈阳自动化研究所", "institute", "210112"),
    ("辽宁大学", "university", "210102"),
    ("沈阳工业大学", "university", "210106"),
    ("辽宁科技大学", "university", "210303"),
)


@dataclass(frozen=True)
class Party:
    """A contract party drawn from the registry (or the fallback list when the registry is empty)."""

    organization_id: int | None
    name: str
    kind: str
    region_code: str


def _six_digits(code: str | None, rng: random.Random) -> str:
    """A 6-digit division code for a party; province-only codes get a random city of that province (demo only)."""
    code = (code or "").strip()
    if len(code) >= 6:
        return code[:6]
    if len(code) == 4:
        return code + "00"
    if code == "21" or not code:
        return rng.choice(sorted(city_names())) + "00"
    return code + "0000"


def _parties(session: Session, rng: random.Random) -> tuple[list[Party], list[Party]]:
    sellers = [
        Party(org.id, org.name, str(org.kind), _six_digits(org.region_code, rng))
        for org in queries.list_organizations_of_kind(session, [OrgKind.UNIVERSITY, OrgKind.INSTITUTE], 60)
        if (org.region_code or "").startswith("21")
    ] or [Party(None, name, kind, code) for name, kind, code in FALLBACK_SELLERS]
    buyers = [
        Party(org.id, org.name, "enterprise", _six_digits(org.region_code, rng))
        for org in queries.list_organizations_of_kind(session, [OrgKind.ENTERPRISE], 200)
    ]
    if len(buyers) < 10:
        cities = sorted(city_names().items())
        buyers += [
            Party(None, f"{name[:-1]}示范企业{n}", "enterprise", f"{code}00")
            for n, (code, name) in enumerate(cities, start=1)
        ]
    return sellers, buyers


def _contract(n: int, rng: random.Random, sellers: list[Party], buyers: list[Party]) -> Contract:
    seller = rng.choice(sellers) if rng.random() < 0.8 else Party(None, "辽宁某科技企业", "enterprise", "210200")
    local = [b for b in buyers if b.region_code.startswith("21")]
    home = city_of(seller.region_code)
    same_city = [b for b in local if home is not None and city_of(b.region_code) == home]
    if rng.random() < 0.3 and same_city:
        buyer = rng.choice(same_city)
    elif rng.random() < 0.45 and local:
        buyer = rng.choice(local)
    else:
        buyer = Party(None, "省外受让企业", "enterprise", rng.choice(OUT_OF_PROVINCE))
    value = Decimal(rng.randint(5, 3000)) + Decimal(rng.randint(0, 99)) / 100
    registered = date(2023, 1, 1) + timedelta(days=rng.randint(0, 3 * 365 - 1))
    return Contract(
        contract_no=f"DEMO-{n:05d}",
        type=rng.choice(TYPES),
        seller_id=seller.organization_id,
        seller_name=seller.name,
        seller_region_code=seller.region_code,
        seller_kind=seller.kind,
        buyer_id=buyer.organization_id,
        buyer_name=buyer.name,
        buyer_region_code=buyer.region_code,
        buyer_kind="enterprise",
        contract_value=value,
        technology_income=(value * Decimal(rng.randint(60, 100)) / 100).quantize(Decimal("0.01")),
        signed_on=registered - timedelta(days=rng.randint(1, 30)),
        registered_on=registered,
        field=rng.choice(FIELDS),
        is_demo=True,
    )


def _brokers(session: Session) -> list[Viewer]:
    """Three placeholder broker accounts; they cannot sign in (inactive, no usable password hash)."""
    viewers = []
    for n, label in enumerate(("甲", "乙", "丙"), start=1):
        username = f"demo-broker-{n}"
        user = get_user_by_username(session, username)
        if user is None:
            user = User(
                username=username,
                display_name=f"演示经理人{label}",
                password_hash="!",
                role=Role.BROKER,
                is_active=False,
            )
            session.add(user)
            session.flush()
        viewers.append(viewer_for(user))
    return viewers


def _case(session: Session, n: int, rng: random.Random, brokers: list[Viewer], buyers: list[Party]) -> None:
    broker = rng.choice(brokers)
    buyer = rng.choice(buyers)
    start = datetime(2025, 1, 6, 9, tzinfo=UTC) + timedelta(days=rng.randint(0, 300))
    data = CaseCreate(
        title=f"演示转化案例 {n:02d}",
        counterpart_id=buyer.organization_id,
        counterpart_name=buyer.name,
        broker_id=broker.user_id,
        field=rng.choice(FIELDS),
        city_code=buyer.region_code,
        owner_kind=rng.choice(("university", "institute")),
        is_demo=True,
        note="演示数据",
    )
    case = create_case(session=session, data=data, viewer=SYSTEM, actor_name="演示数据", at=start)
    moment = start
    stages = [Stage.CONTACTED, Stage.NEGOTIATING, Stage.CONTRACTED, Stage.PILOTING, Stage.PRODUCING]
    keep_going = (0.8, 0.6, 0.7, 0.6, 0.7)
    for stage, chance in zip(stages, keep_going, strict=True):
        if rng.random() > chance:
            if rng.random() < 0.6:
                moment += timedelta(days=rng.randint(3, 40))
                close_case(
                    session=session,
                    case_id=case.id,
                    viewer=SYSTEM,
                    reason=rng.choice(list(closing_reasons())),
                    actor_name="演示数据",
                    at=moment,
                )
            return
        moment += timedelta(days=rng.randint(2, 45))
        advance_case(session=session, case_id=case.id, viewer=SYSTEM, to=stage, actor_name="演示数据", at=moment)


def load_demo(*, session: Session, seed: int = DEFAULT_SEED) -> int:
    """Generate the demonstration set; returns the number of demo contracts created (0 when skipped)."""
    if queries.has_real_contracts(session) or queries.has_demo_contracts(session):
        return 0
    rng = random.Random(seed)
    sellers, buyers = _parties(session, rng)
    contracts = [_contract(n, rng, sellers, buyers) for n in range(1, CONTRACTS + 1)]
    session.add_all(contracts)
    queries.refresh_rollups(session, demo=True)
    brokers = _brokers(session)
    for n in range(1, CASES + 1):
        _case(session, n, rng, brokers, buyers)
    _challenges(session)
    session.flush()
    return len(contracts)


DEMO_CHALLENGES = (
    (
        "高镍三元正极材料连续烧结工艺攻关",
        "突破高镍正极材料连续烧结与包覆工艺，支撑动力电池产业链",
        "新材料",
        "锂电池正极材料",
        ["循环寿命 ≥ 2000 次", "比容量 ≥ 200 mAh/g"],
        Decimal(800),
    ),
    (
        "工业机器人高精度RV减速器国产化",
        "研制回差小于 1 弧分的 RV 减速器并实现小批量生产",
        "装备制造",
        "机器人核心零部件",
        ["回差 ≤ 1 弧分", "寿命 ≥ 6000 h"],
        Decimal(500),
    ),
)


def _challenges(session: Session) -> None:
    """Two labelled demonstration challenges on the public board."""
    for title, goal, field_name, link, indicators, budget in DEMO_CHALLENGES:
        data = ChallengeCreate(
            title=title,
            goal=goal,
            indicators=list(indicators),
            budget=budget,
            deadline=date(2027, 12, 31),
            field=field_name,
            chain_link=link,
            publisher_name="演示数据",
            is_demo=True,
        )
        publish_challenge(session=session, viewer=SYSTEM, data=data)
