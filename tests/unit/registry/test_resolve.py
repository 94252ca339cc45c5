"""Entity resolution: name normalization, GB 32100-2015 credit codes, and which records merge."""

from __future__ import annotations

import pytest

from techbridge.errors import InvalidDataError
from techbridge.registry.resolve import (
    NameKey,
    NameNormalizer,
    OrgIndex,
    OrgRecord,
    credit_check_char,
    is_organization_name,
    is_valid_credit_code,
    organization_kind,
    short_region_name,
    validate_credit_code,
)

NORMALIZER = NameNormalizer(["沈阳市", "大连市", "深圳市", "昆山市", "广州市", "武汉市"])


class TestNormalize:
    @pytest.mark.parametrize(
        ("name", "core"),
        [
            ("华为技术有限公司", "华为"),
            ("华为", "华为"),
            ("北京同益中新材料科技股份有限公司", "同益中新材料"),
            ("华辰精密装备（昆山）股份有限公司", "华辰精密装备"),
            ("华辰精密装备(昆山)股份有限公司", "华辰精密装备"),
            ("ＡＢＣ科技有限公司", "abc"),
            ("辽宁省交通集团", "交通"),
            ("大连港股份有限公司", "大连港"),
        ],
    )
    def test_core(self, name: str, core: str) -> None:
        assert NORMALIZER.normalize(name) == core

    def test_region_prefix_is_kept_apart(self) -> None:
        key = NORMALIZER.key("沈阳机床股份有限公司")
        assert (key.core, key.region, key.base, key.form) == ("机床", "沈阳", "机床", "股份有限公司")

    def test_full_and_half_width_brackets_agree(self) -> None:
        assert NORMALIZER.key("示例（中国）有限公司") == NORMALIZER.key("示例(中国)有限公司")

    def test_short_region_name(self) -> None:
        assert short_region_name("内蒙古自治区") == "内蒙古"
        assert short_region_name("沈阳市") == "沈阳"


class TestCreditCode:
    @pytest.mark.parametrize("code", ["914403001922038216", "91110000802100433B", "91110108551385082Q"])
    def test_real_codes_are_valid(self, code: str) -> None:
        assert is_valid_credit_code(code)

    def test_wrong_check_character_is_invalid(self) -> None:
        assert not is_valid_credit_code("914403001922038217")

    def test_forbidden_letters_and_length(self) -> None:
        assert not is_valid_credit_code("91440300192203821I")
        assert not is_valid_credit_code("9144030019220382")

    def test_check_char_formula(self) -> None:
        assert credit_check_char("91110000802100433") == "B"

    def test_validate_normalizes_case_and_width(self) -> None:
        assert validate_credit_code("91110000802100433ｂ") == "91110000802100433B"

    def test_validate_raises_in_both_languages(self) -> None:
        with pytest.raises(InvalidDataError) as info:
            validate_credit_code("123")
        assert info.value.message_zh
        assert "统一社会信用代码" in info.value.message_zh


def _index(*records: OrgRecord) -> OrgIndex:
    index = OrgIndex()
    for record in records:
        index.add(record)
    return index


class TestOrgIndex:
    def test_alias_short_name_finds_the_company(self) -> None:
        index = _index(OrgRecord(1, "华为技术有限公司", NORMALIZER.key("华为技术有限公司")))
        found = index.resolve(key=NORMALIZER.key("华为"))
        assert found is not None
        assert found.organization_id == 1
        assert found.rule == "name"

    def test_differing_credit_codes_never_merge(self) -> None:
        index = _index(OrgRecord(1, "华为技术有限公司", NORMALIZER.key("华为技术有限公司"), "914403001922038216"))
        assert index.resolve(key=NORMALIZER.key("华为技术有限公司"), credit_code="91110000802100433B") is None

    def test_same_credit_code_merges_whatever_the_name(self) -> None:
        index = _index(OrgRecord(1, "甲公司", NORMALIZER.key("甲公司"), "914403001922038216"))
        found = index.resolve(key=NORMALIZER.key("乙公司"), credit_code="914403001922038216")
        assert found is not None
        assert found.rule == "credit_code"

    def test_listing_code_merges(self) -> None:
        index = _index(OrgRecord(7, "平安银行股份有限公司", NORMALIZER.key("平安银行"), listing_code="000001.SZ"))
        found = index.resolve(key=NORMALIZER.key("完全不同"), listing_code="000001.SZ")
        assert found is not None
        assert found.organization_id == 7

    def test_different_city_prefixes_do_not_merge(self) -> None:
        index = _index(OrgRecord(1, "沈阳机床股份有限公司", NORMALIZER.key("沈阳机床股份有限公司")))
        assert index.resolve(key=NORMALIZER.key("大连机床集团有限责任公司")) is None

    def test_ambiguous_name_does_not_merge(self) -> None:
        key = NORMALIZER.key("示例科技有限公司")
        index = _index(OrgRecord(1, "示例科技有限公司", key), OrgRecord(2, "示例集团", NORMALIZER.key("示例集团")))
        assert index.resolve(key=NORMALIZER.key("示例")) is None

    def test_alias_match_needs_the_same_region(self) -> None:
        record = OrgRecord(1, "杭州园林", NORMALIZER.key("杭州园林"), alias_keys=[NORMALIZER.key("园林股份")])
        record.key = NameKey("园林绿化", "杭州")
        assert _index(record).resolve(key=NORMALIZER.key("上海园林(集团)有限公司")) is None

    def test_universities_need_an_exact_match(self) -> None:
        index = _index(OrgRecord(1, "中国矿业大学(北京)", NORMALIZER.key("中国矿业大学(北京)"), kind="university"))
        assert index.resolve(key=NORMALIZER.key("中国矿业大学"), kind="university") is None
        assert index.resolve(key=NORMALIZER.key("中国矿业大学（北京）"), kind="university") is not None

    def test_kinds_do_not_mix(self) -> None:
        index = _index(OrgRecord(1, "东北大学", NORMALIZER.key("东北大学"), kind="university"))
        assert index.resolve(key=NORMALIZER.key("东北大学")) is None


def _merges(stored: str, incoming: str) -> bool:
    index = _index(OrgRecord(1, stored, NORMALIZER.key(stored)))
    return index.resolve(key=NORMALIZER.key(incoming)) is not None


class TestNameVariants:
    """Real name pairs from the merge reports of the shared data (ickg, chain_kg): which are one company."""

    @pytest.mark.parametrize(
        ("stored", "incoming"),
        [
            ("大连示例科技有限公司", "大连示例科技有限责任公司"),
            ("华辰精密装备（昆山）股份有限公司", "华辰精密装备(昆山)股份有限公司"),
            ("大连 示例科技 有限公司", "大连示例科技有限公司"),
            ("沈阳新松机器人自动化股份有限公司", "新松机器人自动化股份有限公司"),
            ("山东未名生物医药股份有限公司", "山东未名生物医药股份公司"),
            ("华为技术有限公司", "华为"),
            ("华为技术有限公司", "华为公司"),
        ],
    )
    def test_variants_of_one_name_merge(self, stored: str, incoming: str) -> None:
        assert _merges(stored, incoming)

    @pytest.mark.parametrize(
        ("stored", "incoming"),
        [
            ("徐工集团工程机械股份有限公司", "徐工集团工程机械股份有限公司科技分公司"),
            ("中国移动云南公司", "中国移动云南分公司"),
            ("广州发展集团股份有限公司", "广州分公司"),
            ("天马微电子股份有限公司", "武汉天马微电子有限公司"),
            ("中国东方航空股份有限公司", "中国东方航空集团有限公司"),
            ("中远海运控股股份有限公司", "中远海运科技股份有限公司"),
            ("平头哥(上海)半导体有限公司", "平头哥(杭州)半导体有限公司"),
        ],
    )
    def test_distinct_companies_do_not_merge(self, stored: str, incoming: str) -> None:
        assert not _merges(stored, incoming)

    def test_generic_words_never_leave_a_bare_place_name(self) -> None:
        assert not _merges("辽宁科技有限公司", "辽宁实业有限公司")
        assert not _merges("广州发展集团股份有限公司", "广州科技")


class TestOrganizationNames:
    def test_organization_names(self) -> None:
        assert is_organization_name("江苏晟之光农业科技有限公司")
        assert not is_organization_name("彪马")

    def test_kind_from_name(self) -> None:
        assert organization_kind("大连理工大学") == "university"
        assert organization_kind("中国科学院金属研究所") == "institute"
        assert organization_kind("华为技术有限公司") == "enterprise"
