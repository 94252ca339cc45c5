"""Query understanding for needs: roles, concepts, whole Latin tokens, coverage, and the rankings they fix."""

from __future__ import annotations

import numpy as np
import pytest

from techbridge.errors import InvalidDataError
from techbridge.search.lexical import (
    COVERAGE_FLOOR,
    InMemoryLexical,
    field_tokens,
    matched_terms,
    plan_query,
    rerank_candidates,
)
from techbridge.search.need import (
    Concept,
    Role,
    analyse_need,
    contains_term,
    coverage,
    describe_need,
    load_need_words,
    object_coverage_scorer,
    parse_substance_rules,
    weigh_by_technicality,
)
from techbridge.search.tokenize import Segmenter, default_segmenter


def ranked_titles(docs: list[tuple[str, str]], query: str) -> list[str]:
    lexical = InMemoryLexical(docs, default_segmenter())
    scores = lexical.score(plan_query(query, default_segmenter()))
    return [docs[i][0] for i in np.argsort(-scores, kind="stable") if scores[i] > 0]


class TestLoadNeedWords:
    def test_lists_are_disjoint_and_hold_the_issue_words(self) -> None:
        words = load_need_words()
        assert {"问题", "解决方案", "相关", "研制", "需求", "技术"} <= words.boilerplate
        assert {"新型", "高效", "成本", "高精度", "表面", "节能降耗", "改造", "升级"} <= words.modifiers
        assert not words.boilerplate & words.modifiers
        assert "噪声" in words.problems


class TestAnalyseNeed:
    def test_roles(self) -> None:
        need = analyse_need("新型高效钢渣处理装备相关问题", default_segmenter())
        assert "钢渣" in need.words_of(Role.CONTENT)
        assert set(need.words_of(Role.MODIFIER)) >= {"新型", "高效"}
        assert set(need.words_of(Role.BOILERPLATE)) == {"相关", "问题"}

    def test_a_word_cut_into_single_characters_is_one_concept_again(self) -> None:
        # rjieba cuts 二噁英 into 二/噁/英; alone each would be dropped and the need would be about 垃圾焚烧 only
        assert default_segmenter().cut("二噁英") != ["二噁英"]
        need = analyse_need("垃圾焚烧二噁英排放控制", default_segmenter())
        assert "二噁英" in [c.text for c in need.concepts]
        assert "二噁英" in describe_need("垃圾焚烧二噁英排放控制", default_segmenter())["object"]

    def test_grammatical_characters_are_never_joined(self) -> None:
        concepts = [
            c.text for c in analyse_need("导航接收机资源占用较多与生产成本较高的问题", default_segmenter()).concepts
        ]
        assert not {"较多", "较高"} & set(concepts)
        assert "较" not in "".join(concepts)

    def test_a_record_naming_the_joined_word_covers_the_need(self) -> None:
        covers = object_coverage_scorer(analyse_need("二噁英排放控制", default_segmenter()).concepts)
        assert covers("一种降低铅冶炼烟气中二噁英浓度的新型布袋") > 0.5

    def test_latin_tokens_are_their_own_role(self) -> None:
        need = analyse_need("FMCW雷达", default_segmenter())
        assert need.words_of(Role.LATIN) == ["fmcw"]

    def test_figures_and_single_letters_are_not_searched_numbered_names_are(self) -> None:
        text = "304不锈钢纤维长度平均损伤小于0.5 mm，出条定量20 g/m，Q235与5G"
        words = plan_query(text, default_segmenter()).words
        assert not {"0.5", "20", "g", "m"} & set(words)
        assert {"304", "q235", "5g", "mm"} <= set(words)

    def test_long_latin_tokens_are_names_that_keep_their_grams(self) -> None:
        need = analyse_need("OpenSwim耳机", default_segmenter())
        assert need.words_of(Role.NAME) == ["openswim"]
        assert "op" in plan_query("OpenSwim耳机", default_segmenter()).grams
        assert "fm" not in plan_query("FMCW雷达", default_segmenter()).grams

    def test_a_short_query_is_one_term(self) -> None:
        need = analyse_need("研究中心", default_segmenter())
        assert [c.text for c in need.concepts] == ["研究", "中心"]

    def test_a_need_of_boilerplate_and_modifiers_only_keeps_them_as_content(self) -> None:
        need = analyse_need("优化设计", default_segmenter())
        assert [c.text for c in need.concepts] == ["优化", "设计"]

    def test_problem_concepts(self) -> None:
        need = analyse_need("罗茨鼓风机低频脉动噪声大", default_segmenter())
        problems = {c.text for c in need.concepts if c.is_problem}
        assert "噪声" in problems
        assert "鼓风机" in {c.text for c in need.concepts if not c.is_problem}

    def test_describe_need(self) -> None:
        described = describe_need("提高锂电池的循环寿命，寻求解决方案", default_segmenter())
        assert "锂电池" in described["object"]
        assert "寿命" in described["problem"]
        assert "提高" in described["modifiers"]
        assert "解决方案" in described["dropped"]


class TestContainsTerm:
    def test_latin_tokens_match_whole_only(self) -> None:
        assert not contains_term("fmcw雷达", "fmc")
        assert not contains_term("fmc公司", "fmcw")
        assert contains_term("刹那tpu芯片", "tpu")
        assert not contains_term("carbon credit card", "car")

    def test_chinese_terms_match_anywhere(self) -> None:
        assert contains_term("液压电梯", "压电")

    def test_a_hydrocarbon_inside_another_substance_name_is_not_there(self) -> None:
        assert not contains_term("改性聚丙烯腈纤维膜", "聚丙烯")
        assert not contains_term("聚丙烯酰胺微球", "丙烯")
        assert not contains_term("载药聚乙烯醇微球", "聚乙烯")
        assert not contains_term("聚四氟乙烯密封件", "乙烯")
        assert not contains_term("对氯苯胺", "苯")

    def test_a_hydrocarbon_in_use_or_under_a_polymer_prefix_is_there(self) -> None:
        assert contains_term("聚丙烯纤维混凝土", "聚丙烯")
        assert contains_term("石墨烯基导热膜", "石墨烯")
        assert contains_term("含氟聚乙烯涂层", "聚乙烯")
        assert contains_term("聚乙烯醇与聚乙烯共混", "聚乙烯")  # a second, clean occurrence counts

    def test_the_words_of_a_text_leave_out_a_hydrocarbon_held_only_inside_another_name(self) -> None:
        words = field_tokens("改性聚丙烯腈纤维膜", "", default_segmenter())["words"]
        assert "聚丙烯腈" in words
        assert "聚丙烯" not in words
        assert "丙烯" not in words
        assert "聚丙烯" in field_tokens("聚丙烯纤维", "", default_segmenter())["words"]
        assert "聚丙烯" not in plan_query("聚丙烯腈纤维", default_segmenter()).words

    def test_the_substance_rules_name_a_bad_line(self) -> None:
        rules = parse_substance_rules("# comment\nending 烷烯\nsuffix 腈 # nitrile\n", "rules.txt")
        assert rules.endings == {"烷", "烯"}
        assert rules.suffixes == {"腈"}
        with pytest.raises(InvalidDataError) as error:
            parse_substance_rules("ending 烷烯\nsufix 腈\n", "rules.txt")
        assert error.value.location == ("rules.txt", "line 2")


class TestCoverage:
    def test_object_and_problem_groups_are_averaged(self) -> None:
        concepts = [Concept("正极材料", 1.0), Concept("寿命", 1.0, is_problem=True)]
        assert coverage(concepts, "正极材料制备") == 0.5
        assert coverage(concepts, "正极材料循环寿命") == 1.0

    def test_partial_credit_for_sub_words(self) -> None:
        concepts = analyse_need("罗茨鼓风机", default_segmenter()).concepts
        assert 0 < coverage(concepts, "鼓风机叶轮") < 1

    def test_no_credit_for_a_sub_word_inside_another_substance(self) -> None:
        concepts = analyse_need("聚乙烯", default_segmenter()).concepts
        assert [c.parts for c in concepts] == [("乙烯",)]
        assert coverage(concepts, "乙烯裂解炉") > 0
        assert coverage(concepts, "聚四氟乙烯纤维膜") == 0
        assert coverage(concepts, "聚乙烯醇栓塞微球") == 0

    def test_a_word_the_segmenter_guessed_earns_credit_through_its_bigrams(self) -> None:
        segmenter = default_segmenter()
        assert not segmenter.knows("机刀盘")
        assert segmenter.knows("聚氨酯")
        concepts = {c.text: c for c in analyse_need("盾构机刀盘磨损", segmenter).concepts}
        assert "刀盘" in concepts["机刀盘"].parts
        assert coverage([concepts["机刀盘"]], "一种隧道掘进刀盘") == pytest.approx(2 / 3)
        assert [c.parts for c in analyse_need("聚氨酯", segmenter).concepts] == [()]

    def test_generic_concepts_weigh_less(self) -> None:
        concepts = [Concept("鼓风机", 1.0), Concept("主要", 1.0)]
        weighed = weigh_by_technicality(concepts, {"鼓风机": 3, "主要": 900}.__getitem__, 1000)
        assert weighed[0].weight > 3 * weighed[1].weight


class TestRankings:
    def test_latin_acronym_never_matches_inside_an_owner_name(self) -> None:
        docs = [("杀虫剂组合物", "FMC公司"), ("毫米波雷达测距", "FMCW")]
        assert ranked_titles(docs, "FMCW") == ["毫米波雷达测距"]

    def test_modifier_only_match_ranks_below_the_object(self) -> None:
        docs = [("新型高效粽叶清洗机", "新型高效清洗"), ("转炉钢渣热闷装置", "钢渣处理")]
        assert ranked_titles(docs, "新型高效钢渣处理装备")[0] == "转炉钢渣热闷装置"

    def test_covering_the_problem_beats_the_object_alone_at_equal_lexical_scores(self) -> None:
        docs = [("锂电池正极材料制备装置", "烧结设备"), ("锂电池正极材料的循环寿命与低温性能", "")]
        plan = plan_query("提高锂电池正极材料的循环寿命和低温性能", default_segmenter())
        scores = rerank_candidates(np.array([1.0, 1.0]), plan, docs)
        assert scores[1] > scores[0]
        assert scores[0] < COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * 0.6  # no word on the problem

    def test_a_quality_word_is_no_problem_and_does_not_outrank_the_object(self) -> None:
        need = analyse_need("高精度ADC芯片设计", default_segmenter())
        assert "高精度" in need.words_of(Role.MODIFIER)
        assert not any(c.is_problem for c in need.concepts)
        docs = [("一种高精度手摇磨床", "高精度磨削"), ("模拟芯片设计方法", "ADC")]
        assert ranked_titles(docs, "高精度ADC芯片设计")[0] == "模拟芯片设计方法"

    def test_an_acronym_naming_the_object_outweighs_two_common_words(self) -> None:
        docs = [("嗜水气单胞菌双重PCR检测方法", ""), ("膨化食品气密性快速检测设备", "")]
        others = [("风力发电机组叶片", ""), ("水泥窑余热回收", ""), ("中药饮片干燥装置", ""), ("土壤修复剂", "")]
        assert ranked_titles([*docs, *others], "基于PCR的致病菌快速检测")[0] == "嗜水气单胞菌双重PCR检测方法"

    def test_the_technical_word_of_a_need_outweighs_its_generic_words_in_the_coverage(self) -> None:
        # 处理 and 装备 are in thousands of records, 钢渣 in a few dozen (document frequencies out of 69,000)
        doc_freq = {"钢渣": 30, "处理": 3000, "装备": 800, "新型": 2000, "高效": 2500}
        docs = [("一种高端装备制造用金属表面绝缘处理装置", ""), ("钢渣热闷移动罩车的控制方法研究", "")]
        plan = plan_query("新型高效钢渣处理装备", default_segmenter())
        scores = rerank_candidates(np.array([1.0, 1.0]), plan, docs, lambda w: doc_freq.get(w, 0), 69_000)
        assert scores[1] > 1.15 * scores[0]

    def test_a_goal_shared_without_the_object_ranks_below_the_object(self) -> None:
        others = [("PEM电解槽生产线", ""), ("镁电解槽阳极冷却系统", ""), ("电解槽制氢控制方法", "")]
        docs = [("一种托辊网带炉节能降耗机构", ""), ("铝电解槽磁场的三维数值计算", ""), *others]
        assert ranked_titles(docs, "铝电解槽节能降耗解决方案")[0] == "铝电解槽磁场的三维数值计算"

    def test_what_is_to_be_done_to_the_object_is_no_object(self) -> None:
        others = [("矿山通风系统", ""), ("井下运输车辆", ""), ("提升装置控制方法", "")]
        docs = [("一种用于改造升级鳗鱼精养池的生态育苗养殖装置", ""), ("煤矿用提升机控制系统", ""), *others]
        assert ranked_titles(docs, "矿井提升机改造升级")[0] == "煤矿用提升机控制系统"

    def test_where_on_the_object_counts_less_than_the_object(self) -> None:
        others = [("连铸连轧生产线控制方法", ""), ("铸坯切割装置", ""), ("连铸机结晶器", "")]
        docs = [("钢结构表面斜裂纹的检测装置", ""), ("方坯裂纹控制方法", "连铸"), *others]
        assert ranked_titles(docs, "连铸坯表面纵裂纹控制")[0] == "方坯裂纹控制方法"

    def test_boilerplate_alone_is_weak_evidence(self) -> None:
        docs = [("关于相关问题的访谈", "相关问题"), ("齿轮泵噪声", "油泵")]
        assert ranked_titles(docs, "齿轮油泵相关问题")[0] == "齿轮泵噪声"

    def test_english_need_is_matched_and_explained_by_whole_words(self) -> None:
        segmenter = Segmenter(["IT", "ion", "ca"])  # registry words that once cut lithium into l + it + hium
        plan = plan_query("lithium battery cathode", segmenter)
        assert matched_terms(plan, "Lithium battery cathodes", "") == ["battery", "cathode", "lithium"]
        assert matched_terms(plan, "It is L-shaped", "a ca. 5 mm gap") == []
        docs = [("It is L-shaped", "a ca. 5 mm gap"), ("Cathode of a lithium battery", "")]
        scores = InMemoryLexical(docs, segmenter).score(plan)
        assert scores[1] > 2 * scores[0]  # the first keeps only the character grams of lithium (a 5+ letter name)

    def test_english_words_match_in_either_number(self) -> None:
        plan = plan_query("lithium batteries", default_segmenter())
        assert matched_terms(plan, "A lithium battery cathode", "") == ["battery", "lithium"]
        assert contains_term("sensors for batteries", "battery")
        assert not contains_term("fpga5 board", "fpga")
        docs = [("Sodium battery", ""), ("Lithium battery", ""), ("Lithium hydride", "")]
        assert ranked_titles(docs, "lithium batteries")[0] == "Lithium battery"

    def test_a_substance_beats_another_one_whose_name_holds_it(self) -> None:
        docs = [("一种具有抗菌性能的改性聚丙烯腈纤维膜的制备方法", ""), ("一种聚丙烯复合材料及其制备方法和应用", "")]
        others = [("一种水泥砂浆", ""), ("风力发电机组叶片", ""), ("中药饮片干燥装置", ""), ("土壤修复剂", "")]
        assert ranked_titles([*docs, *others], "聚丙烯改性材料")[0] == "一种聚丙烯复合材料及其制备方法和应用"
        plan = plan_query("聚丙烯改性材料", default_segmenter())
        assert matched_terms(plan, "改性聚丙烯腈纤维膜", "") == ["改性"]

    def test_highlighting_respects_latin_tokens(self) -> None:
        plan = plan_query("FMC", default_segmenter())
        assert matched_terms(plan, "FMCW雷达", "") == []


class TestObjectCoverage:
    def test_only_the_object_counts(self) -> None:
        concepts = analyse_need("毫米波雷达测距精度", default_segmenter()).concepts
        assert any(c.is_problem for c in concepts)
        score = object_coverage_scorer(concepts)
        assert score("提高定位精度的方法") == 0.0
        assert score("毫米波雷达测距") == 1.0
        assert coverage(concepts, "提高定位精度的方法") > 0.0

    def test_a_need_naming_only_a_problem_is_covered_by_it(self) -> None:
        concepts = analyse_need("噪声", default_segmenter()).concepts
        assert object_coverage_scorer(concepts)("低噪声设计") == 1.0
