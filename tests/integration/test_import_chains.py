"""chain_kg and ICKG importers on small files written here: code formats, split rows, merges, idempotence."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.service import import_source
from techbridge.models import (
    Achievement,
    AchievementOwner,
    ChainEdge,
    ChainNode,
    EnterpriseNode,
    Organization,
    OrganizationAlias,
)
from techbridge.registry.count_queries import count_entities
from tests.conftest import requires_shared_data

pytestmark = requires_shared_data  # regions come from the shared NBS files


def jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def make_chain_kg(root: Path) -> Path:
    raw, derived = root / "raw", root / "derived"
    company = {
        "name": "鼎龙股份",
        "fullname": "湖北鼎龙控股股份有限公司",
        "location": "深圳证券交易所",
        "time": "2010-02-11",
    }
    jsonl(
        raw / "company.json",
        [
            {**company, "code": "300054"},
            {**company, "code": "300054.SZ", "fullname": "湖北鼎龙化学股份有限公司"},  # renamed: alias
            {
                "name": "京源环保",
                "fullname": "大连港股份有限公司",
                "code": "688096",
                "location": "上海证券交易所",
                "time": "2010-12-06",
            },
            {
                "name": "京源环保",
                "fullname": "江苏京源环保股份有限公司",
                "code": "688096.SH",
                "location": "上海证券交易所",
                "time": "2020-04-09",
            },
        ],
    )
    jsonl(raw / "industry.json", [{"code": "220000", "name": "化工"}, {"code": "220100", "name": "化学原料"}])
    jsonl(
        raw / "industry_industry.json",
        [
            {
                "from_code": "220100",
                "from_industry": "化学原料",
                "rel": "上级行业",
                "to_industry": "化工",
                "to_code": "220000",
            }
        ],
    )
    jsonl(raw / "industry_up.json", [{"industry": "化学原料", "ups": {"化工": 3}}])
    jsonl(
        raw / "company_industry.json",
        [{"company_code": "300054.sz", "industry_code": "220100", "industry_name": "化学原料", "rel": "所属行业"}],
    )
    jsonl(raw / "product.json", [{"name": "打印耗材"}, {"name": "碳粉"}, {"name": "  "}])
    jsonl(
        derived / "company_product.jsonl",
        [
            {"company_code": "300054.SZ", "product_name": "打印耗材", "rel": "主营产品", "rel_weight": 0.6},
            {"company_code": "999999.SZ", "product_name": "碳粉", "rel": "主营产品", "rel_weight": 0.1},
        ],
    )
    jsonl(
        derived / "product_product.jsonl",
        [
            {"from_entity": "打印耗材", "to_entity": "碳粉", "rel": "上游材料"},
            {"from_entity": "彩色\n碳粉", "to_entity": "碳粉", "rel": "产品小类"},
            {"from_entity": '"', "to_entity": "碳粉", "rel": "产品小类"},
        ],
    )
    return root


class TestChainKg:
    def test_graph_links_and_defects(self, settings: Settings, tmp_path: Path) -> None:
        summary = import_source(settings, "chain_kg", make_chain_kg(tmp_path / "chain_kg"), show_progress=False)
        assert summary.counts["company"] == 2
        reasons = {(e.file, e.column) for e in summary.rejections}
        assert ("company.json", "fullname") in reasons  # 688096 listed with another company's name
        assert ("company_product.jsonl", "company_code") in reasons
        with session_scope(settings.database_url) as session:
            org = session.scalars(select(Organization).where(Organization.listing_code == "300054.SZ")).one()
            aliases = set(
                session.scalars(select(OrganizationAlias.alias).where(OrganizationAlias.organization_id == org.id))
            )
            assert "湖北鼎龙化学股份有限公司" in aliases
            link = session.scalars(select(EnterpriseNode).where(EnterpriseNode.relation == "主营产品")).one()
            assert link.organization_id == org.id
            assert link.weight == 0.6
            assert session.scalars(select(ChainNode.name).where(ChainNode.name == "彩色碳粉")).one()
            relations = set(session.scalars(select(ChainEdge.relation)))
            assert relations == {"上级行业", "上游于", "上游材料", "产品小类"}

    def test_rerun_is_idempotent_and_merges_onto_a_share(self, settings: Settings, tmp_path: Path) -> None:
        basic = tmp_path / "stock_basic.csv"
        basic.write_text(
            "ts_code,symbol,name,area,industry,list_date\n300054.SZ,300054,鼎龙股份,湖北,化工原料,2010-02-11\n"
        )
        import_source(settings, "a_share", basic, show_progress=False)
        folder = make_chain_kg(tmp_path / "chain_kg")
        first = import_source(settings, "chain_kg", folder, show_progress=False)
        with session_scope(settings.database_url) as session:
            before = count_entities(session)
        import_source(settings, "chain_kg", folder, show_progress=False)
        with session_scope(settings.database_url) as session:
            assert count_entities(session) == before
            org = session.scalars(select(Organization).where(Organization.listing_code == "300054.SZ")).one()
            assert org.source_dataset == "a_share"
            assert org.province_code == "42"
        assert [m.rule for m in first.merges] == ["listing_code"]
        assert Path(first.report_path).read_text(encoding="utf-8").count("listing_code") == 1


def make_ickg(path: Path) -> Path:
    rows = [
        ("train", "华为技术有限公司", "持有专利", "一种通信方法", "2025-01-02"),
        ("train", "大连示例科技有限公司", "持有专利", "一种通信方法", "2025-01-03"),
        ("train", "华为技术有限公司", "涉足行业", "通信设备", "2025-01-02"),
        ("train", "彪马", "涉足行业", "运动服饰", "2025-01-02"),
        ("valid", "芯片制造", "上游于", "通信设备", "2025-03-01"),
        ("valid", "芯片制造", "上游于", "通信设备", "2025-02-01"),
        ("test", "半导体", "包含", "芯片制造", "2025-02-01"),
        ("test", "某材料公司", "供给", "华为技术有限公司", "2025-02-01"),
    ]
    path.write_text(
        "split\thead\trelation\ttail\tdate\n" + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8"
    )
    return path


class TestIckg:
    def test_patents_industries_and_dated_edges(self, settings: Settings, tmp_path: Path) -> None:
        summary = import_source(settings, "ickg", make_ickg(tmp_path / "q.tsv"), show_progress=False)
        with session_scope(settings.database_url) as session:
            names = set(session.scalars(select(Organization.name)))
            assert names == {"华为技术有限公司", "大连示例科技有限公司", "某材料公司"}  # 彪马 is a brand
            dalian = session.scalars(select(Organization).where(Organization.name == "大连示例科技有限公司")).one()
            assert (dalian.province_code, dalian.region_code) == ("21", "2102")  # place from the name
            patent = session.scalars(select(Achievement)).one()
            assert patent.kind == "patent"
            assert patent.title == "一种通信方法"
            owners = session.scalar(select(func.count()).select_from(AchievementOwner))
            assert owners == 2
            upstream = session.scalars(select(ChainEdge).where(ChainEdge.relation == "上游于")).one()
            assert str(upstream.observed_on) == "2025-02-01"  # the earliest date of the fact
            assert set(session.scalars(select(ChainEdge.relation))) == {"上游于", "包含", "供给"}
        assert summary.counts["patent"] == 1

    def test_short_names_merge_onto_full_names(self, settings: Settings, tmp_path: Path) -> None:
        import_source(settings, "ickg", make_ickg(tmp_path / "q.tsv"), show_progress=False)
        other = tmp_path / "more.tsv"
        other.write_text(
            "split\thead\trelation\ttail\tdate\ntrain\t华为\t合作\t大连示例科技有限公司\t2025-01-01\n"
            "train\t华为公司\t持有专利\t一种天线\t2025-01-01\n",
            encoding="utf-8",
        )
        summary = import_source(settings, "ickg", other, show_progress=False)
        assert [(m.name, m.organization_name) for m in summary.merges] == [("华为公司", "华为技术有限公司")]
        with session_scope(settings.database_url) as session:
            owner = session.scalar(
                select(Organization.name)
                .join(AchievementOwner, AchievementOwner.organization_id == Organization.id)
                .join(Achievement, Achievement.id == AchievementOwner.achievement_id)
                .where(Achievement.title == "一种天线")
            )
            assert owner == "华为技术有限公司"
