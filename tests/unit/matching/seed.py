"""A small, explicit registry for matching tests: Liaoning and Guangdong organizations, achievements, experts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from techbridge.models import (
    Achievement,
    AchievementKind,
    AchievementOwner,
    ChainNode,
    EnterpriseNode,
    Expert,
    NodeKind,
    Organization,
    OrgKind,
    Region,
    RegionLevel,
    Visibility,
)


@dataclass(frozen=True)
class Seeded:
    """Ids of the seeded records the tests refer to."""

    battery: int
    fpga: int
    crp: int
    rice: int
    hidden: int
    university: int
    local_battery_maker: int
    remote_battery_maker: int
    chip_maker: int
    battery_expert: int


def _org(session: Session, kind: OrgKind, name: str, region: str, industries: list[str] | None = None) -> Organization:
    org = Organization(
        kind=kind,
        name=name,
        normalized_name=name,
        region_code=region,
        province_code=region[:2],
        shenwan_industries=industries or [],
        source_dataset="test",
        source_key=name,
    )
    session.add(org)
    session.flush()
    return org


def _achievement(session: Session, owner: Organization, title: str, abstract: str, **extra: object) -> Achievement:
    a = Achievement(
        kind=extra.pop("kind", AchievementKind.TECHNOLOGY),
        title=title,
        abstract=abstract,
        region_code=owner.region_code,
        source_dataset="test",
        source_key=title,
        **extra,
    )
    session.add(a)
    session.flush()
    session.add(AchievementOwner(achievement_id=a.id, organization_id=owner.id))
    return a


def _link(session: Session, org: Organization, product: str) -> None:
    node = ChainNode(kind=NodeKind.PRODUCT, name=product, source_dataset="test")
    session.add(node)
    session.flush()
    session.add(
        EnterpriseNode(organization_id=org.id, node_id=node.id, relation="主营产品", weight=1.0, source_dataset="test")
    )


def seed_registry(session: Session) -> Seeded:
    """Insert the test registry and return the ids."""
    session.add_all(
        [
            Region(code="21", name="辽宁省", level=RegionLevel.PROVINCE),
            Region(code="44", name="广东省", level=RegionLevel.PROVINCE),
        ]
    )
    session.flush()
    session.add_all(
        [
            Region(code="2101", name="沈阳市", level=RegionLevel.CITY, parent_code="21"),
            Region(code="4403", name="深圳市", level=RegionLevel.CITY, parent_code="44"),
        ]
    )
    session.flush()
    uni = _org(session, OrgKind.UNIVERSITY, "东北大学", "2101")
    local = _org(session, OrgKind.ENTERPRISE, "沈阳新能源电池有限公司", "2101", ["电池"])
    remote = _org(session, OrgKind.ENTERPRISE, "深圳锂电科技有限公司", "4403", ["电池"])
    chip = _org(session, OrgKind.ENTERPRISE, "大连芯片设计有限公司", "2101", ["半导体"])
    _link(session, local, "锂离子电池正极材料")
    _link(session, remote, "锂电池正极材料")
    _link(session, chip, "FPGA芯片")
    battery = _achievement(
        session,
        uni,
        "高镍三元锂电池正极材料低成本制备技术",
        "通过共沉淀法制备高镍三元正极材料，提高锂离子电池能量密度并降低成本。",
        keywords=["正极材料", "锂离子电池"],
        field_tags=["新能源"],
        trl=6,
        year=2025,
        ipc_codes=["H01M4/525"],
    )
    fpga = _achievement(
        session,
        uni,
        "基于FPGA的高速图像处理系统",
        "采用FPGA实现实时图像处理与目标检测，适用于工业视觉检测。",
        keywords=["FPGA", "图像处理"],
        field_tags=["电子信息"],
        trl=5,
        year=2022,
    )
    crp = _achievement(
        session,
        uni,
        "C反应蛋白快速检测试剂盒",
        "一种基于免疫层析的C反应蛋白定量检测方法，用于炎症早期诊断。",
        keywords=["C反应蛋白"],
        field_tags=["生物医药"],
        trl=7,
        year=2021,
        kind=AchievementKind.PATENT,
    )
    rice = _achievement(
        session,
        uni,
        "耐盐碱水稻新品种选育",
        "选育适合盐碱地种植的水稻品种。",
        field_tags=["现代农业"],
        trl=8,
        year=2019,
        kind=AchievementKind.VARIETY,
    )
    hidden = _achievement(
        session,
        uni,
        "锂电池隔膜涂覆技术（未公开）",
        "锂电池隔膜陶瓷涂覆。",
        visibility=Visibility.OWNER,
        trl=4,
        year=2024,
    )
    _achievement(
        session, remote, "锂电池正极材料回收工艺", "废旧锂电池正极材料湿法回收。", year=2023, ipc_codes=["H01M10/54"]
    )
    expert = Expert(
        name="张伟",
        title="教授",
        affiliation_id=uni.id,
        affiliation_name="东北大学",
        fields=["锂离子电池", "正极材料"],
        bio="长期从事锂离子电池正极材料研究。",
        source_dataset="test",
        source_key="zhangwei",
    )
    session.add(expert)
    session.flush()
    session.add(AchievementOwner(achievement_id=battery.id, expert_id=expert.id))
    session.flush()
    return Seeded(battery.id, fpga.id, crp.id, rice.id, hidden.id, uni.id, local.id, remote.id, chip.id, expert.id)
