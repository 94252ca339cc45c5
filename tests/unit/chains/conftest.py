"""A small hand-made chain graph with known answers (see the docstring of `rows`)."""

from __future__ import annotations

import pytest

from techbridge.chains.build import GraphRows, assemble_graph
from techbridge.chains.schemas import ChainGraph

NODES = [
    (1, "product", "原油"),
    (2, "product", "对二甲苯"),
    (3, "product", "精对苯二甲酸"),
    (4, "product", "乙二醇"),
    (5, "product", "涤纶长丝"),
    (6, "product", "水洗面料"),
    (7, "product", "聚酯纤维"),
    (8, "product", "涤纶短纤"),
    (9, "product", "精对苯二甲酸生产销售"),
    (10, "product", "PTA"),
    (11, "industry", "炼油化工"),
    (12, "industry", "石油石化"),
    (13, "product", "备配件"),
]
EDGES = [
    (2, 1, "上游材料", 1.0, "chain_kg"),  # 原油 → 对二甲苯
    (3, 2, "上游材料", 1.0, "chain_kg"),  # 对二甲苯 → 精对苯二甲酸
    (5, 3, "上游材料", 1.0, "chain_kg"),  # 精对苯二甲酸 → 涤纶长丝
    (5, 4, "上游材料", 1.0, "chain_kg"),  # 乙二醇 → 涤纶长丝
    (6, 5, "上游材料", 1.0, "chain_kg"),  # 涤纶长丝 → 水洗面料
    (3, 7, "下游产品", 1.0, "chain_kg"),  # 精对苯二甲酸 → 聚酯纤维
    (7, 8, "产品小类", 1.0, "chain_kg"),  # 涤纶短纤 ⊂ 聚酯纤维
    (11, 12, "上级行业", 1.0, "chain_kg"),  # 炼油化工 ⊂ 石油石化
    (12, 11, "上游于", 2.0, "chain_kg"),  # below min_weight 3: dropped
    (1, 13, "合作", 1.0, "ickg"),  # unknown relation: ignored
]
ORGS = [
    (100, "恒力石化", "enterprise", "21", "2102"),
    (101, "荣盛石化", "enterprise", "33", "3301"),
    (102, "大连化物所", "institute", "21", "2102"),
    (103, "大连理工大学", "university", "21", "2102"),
    (104, "恒逸石化", "enterprise", "33", None),
    (105, "沈阳化工", "enterprise", "21", "2101"),
    (106, "辽阳石化", "enterprise", "21", "2110"),
    (107, "锦州石化", "enterprise", None, "2107"),
]
LINKS = [
    (100, 9, "主营产品", 0.84, ""),  # resolved to 精对苯二甲酸 (suffix)
    (100, 10, "主营产品", 0.52, ""),  # resolved to 精对苯二甲酸 (synonym), merged: max weight 0.84
    (100, 5, "主营产品", 0.67, ""),
    (100, 11, "所属行业", None, "750301"),  # default weight 0.3
    (101, 3, "主营产品", 0.6, ""),
    (101, 2, "主营产品", 0.3, ""),
    (104, 2, "主营产品", 0.5, ""),
    (105, 4, "主营产品", 0.4, ""),
    (105, 13, "主营产品", -0.1, ""),  # negative weights clamp to 0; 备配件 resolves to nothing
    (106, 2, "主营产品", 0.4, ""),
    (107, 2, "主营产品", 0.2, ""),
]
WORKS = [
    (500, "一种精对苯二甲酸氧化反应催化剂", "一种精对苯二甲酸氧化反应催化剂", "2102"),
    (501, "涤纶长丝纺丝工艺", "涤纶长丝纺丝工艺", None),
    (502, "对二甲苯吸附分离", "对二甲苯吸附分离", None),
]
OWNERS = [(500, 102, None), (500, None, 700), (501, 103, None), (502, 101, None)]
EXPERTS = [(700, "张三", 102, ["化工"])]


def make_rows() -> GraphRows:
    """The rows of the hand-made graph."""
    return GraphRows(nodes=NODES, edges=EDGES, links=LINKS, orgs=ORGS, works=WORKS, owners=OWNERS, experts=EXPERTS)


@pytest.fixture
def graph() -> ChainGraph:
    """The hand-made graph.

    Chain around 精对苯二甲酸 (3) with 2 hops: members 1, 2, 3, 5, 6, 7, 8 (乙二醇 4 feeds a downstream node, so it
    is not on the chain); flow edges 1→2→3→5→6 and 3→7, part edge 8→7.
    """
    return assemble_graph(make_rows())
