"""Write the hand-made chain graph of conftest.py into a real database (same ids, so the same answers)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from techbridge.models import (
    Achievement,
    AchievementOwner,
    ChainEdge,
    ChainNode,
    EnterpriseNode,
    Expert,
    Organization,
    Region,
)
from tests.unit.chains.conftest import EDGES, EXPERTS, LINKS, NODES, ORGS, OWNERS, WORKS

REGIONS = [
    ("21", "辽宁省", "province", None),
    ("2101", "沈阳市", "city", "21"),
    ("2102", "大连市", "city", "21"),
    ("2107", "锦州市", "city", "21"),
    ("2110", "辽阳市", "city", "21"),
    ("33", "浙江省", "province", None),
    ("3301", "杭州市", "city", "33"),
]


def seed_chain_graph(session: Session) -> None:
    """Regions, organizations, chain nodes/edges, enterprise links, achievements, owners and the expert."""
    for code, name, level, parent in REGIONS:
        if session.get(Region, code) is None:
            session.add(Region(code=code, name=name, level=level, parent_code=parent))
    session.flush()
    for oid, name, kind, province, region in ORGS:
        session.add(
            Organization(
                id=oid,
                kind=kind,
                name=name,
                normalized_name=name,
                province_code=province,
                region_code=region,
                source_dataset="test",
                source_key=str(oid),
            )
        )
    session.add_all(ChainNode(id=i, kind=k, name=n, source_dataset="test") for i, k, n in NODES)
    session.flush()
    session.add_all(ChainEdge(src_id=s, dst_id=d, relation=r, weight=w, source_dataset=ds) for s, d, r, w, ds in EDGES)
    session.add_all(
        EnterpriseNode(organization_id=o, node_id=n, relation=r, weight=w, evidence=e, source_dataset="t")
        for o, n, r, w, e in LINKS
    )
    session.add_all(
        Achievement(id=i, kind="patent", title=t, abstract="", region_code=r, source_dataset="test", source_key=str(i))
        for i, t, _text, r in WORKS
    )
    session.add_all(
        Expert(id=i, name=n, affiliation_id=a, fields=list(f), source_dataset="test", source_key=str(i))
        for i, n, a, f in EXPERTS
    )
    session.flush()
    session.add_all(AchievementOwner(achievement_id=a, organization_id=o, expert_id=e) for a, o, e in OWNERS)
    session.flush()
