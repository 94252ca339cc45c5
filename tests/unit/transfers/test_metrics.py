"""Local conversion rate and turnover on a hand-made contract set (tests/data/contracts/basic.csv).

Hand computation (万元), Liaoning = 21, Shenyang = 2101, Dalian = 2102; university/institute sellers in 21:
C1 100 (buyer 2101) · C2 50 (buyer 2101) · C3 200 (buyer Beijing) · C6 60 (buyer 2101, income unknown) ·
C7 25.5 (buyer Suzhou). C4 is an enterprise seller, C8 an "other" seller, C5 a Beijing seller.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from techbridge.errors import InvalidDataError
from techbridge.transfers.loader import read_contracts
from techbridge.transfers.metrics import (
    compute_local_conversion,
    compute_turnover,
    describe_definition,
    region_prefix,
)
from techbridge.transfers.schemas import (
    Amount,
    Basis,
    ContractFact,
    ContractType,
    ConversionDefinition,
    PartyKind,
    Scope,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "contracts"
UNI, ENT, OTH = PartyKind.UNIVERSITY, PartyKind.ENTERPRISE, PartyKind.OTHER


@pytest.fixture(scope="module")
def facts() -> list[ContractFact]:
    parsed = read_contracts(DATA / "basic.csv")
    assert parsed.errors == []
    return parsed.facts


CASES = [
    # (definition kwargs, numerator, denominator)
    ({"region": "21"}, "210", "435.5"),
    ({"region": "210000"}, "210", "435.5"),
    ({"region": "21", "basis": Basis.COUNT}, "3", "5"),
    ({"region": "21", "amount": Amount.TECHNOLOGY_INCOME}, "130", "305.5"),
    ({"region": "2101", "scope": Scope.CITY}, "160", "360"),
    ({"region": "210102", "scope": Scope.CITY, "basis": Basis.COUNT}, "2", "3"),
    ({"region": "2102", "scope": Scope.CITY}, "0", "75.5"),
    ({"region": "21", "date_from": date(2024, 1, 1), "date_to": date(2024, 6, 30)}, "150", "350"),
    ({"region": "21", "date_from": date(2024, 2, 20), "date_to": date(2024, 7, 1)}, "110", "310"),
    ({"region": "21", "sellers": (UNI,)}, "100", "325.5"),
    ({"region": "21", "sellers": (ENT,)}, "300", "300"),
    ({"region": "21", "sellers": (ENT, OTH), "basis": Basis.COUNT}, "2", "2"),
    ({"region": "21", "types": (ContractType.DEVELOPMENT,)}, "160", "160"),
    ({"region": "21", "types": (ContractType.TRANSFER, ContractType.LICENSE)}, "50", "275.5"),
    ({"region": "21", "types": (ContractType.TRANSFER,)}, "50", "275.5"),  # transfer includes licences
    ({"region": "21", "types": (ContractType.LICENSE,)}, "0", "200"),
    ({"region": "21", "fields": ("新材料",)}, "100", "325.5"),
    ({"region": "11"}, "0", "40"),
]


class TestComputeLocalConversion:
    @pytest.mark.parametrize(("kwargs", "numerator", "denominator"), CASES)
    def test_matches_hand_computation(
        self, facts: list[ContractFact], kwargs: dict[str, object], numerator: str, denominator: str
    ) -> None:
        result = compute_local_conversion(facts, ConversionDefinition(**kwargs))  # type: ignore[arg-type]
        assert result.numerator == Decimal(numerator)
        assert result.denominator == Decimal(denominator)
        assert result.rate == Decimal(numerator) / Decimal(denominator)

    def test_rate_is_none_when_nothing_qualifies(self, facts: list[ContractFact]) -> None:
        result = compute_local_conversion(facts, ConversionDefinition(region="31"))
        assert result.rate is None
        assert result.denominator == 0

    def test_unverified_income_is_reported_not_counted(self, facts: list[ContractFact]) -> None:
        definition = ConversionDefinition(region="21", amount=Amount.TECHNOLOGY_INCOME)
        assert compute_local_conversion(facts, definition).unvalued == ("C6",)

    def test_a_buyer_of_unknown_region_counts_as_outside_and_is_disclosed(self, facts: list[ContractFact]) -> None:
        foreign = replace(facts[0], contract_id="F1", buyer_name="Siemens AG", buyer_region_code="")
        result = compute_local_conversion([*facts, foreign], ConversionDefinition(region="21"))
        assert (result.numerator, result.denominator, result.unlocated_buyers) == (210, Decimal("535.5"), 1)
        text = describe_definition(ConversionDefinition(region="21"), "zh", unlocated_buyers=result.unlocated_buyers)
        assert "1 件" in text
        assert "counted 1 such" in describe_definition(ConversionDefinition(region="21"), unlocated_buyers=1)

    def test_city_scope_refuses_a_province_code(self, facts: list[ContractFact]) -> None:
        with pytest.raises(InvalidDataError, match="city scope"):
            compute_local_conversion(facts, ConversionDefinition(region="21", scope=Scope.CITY))

    def test_city_scope_refuses_a_six_digit_province_code(self, facts: list[ContractFact]) -> None:
        with pytest.raises(InvalidDataError):
            compute_local_conversion(facts, ConversionDefinition(region="210000", scope=Scope.CITY))


class TestComputeTurnover:
    def test_by_type_counts_contracts_sold_by_the_region(self, facts: list[ContractFact]) -> None:
        groups = {g.key: g for g in compute_turnover(facts, region="21", by=["type"])["type"]}
        assert {k: (g.count, g.contract_value, g.technology_income) for k, g in groups.items()} == {
            "development": (2, Decimal(160), Decimal(80)),
            "transfer": (3, Decimal("275.5"), Decimal("225.5")),
            "service": (2, Decimal(310), Decimal(110)),
        }

    def test_licences_are_a_sub_row_of_transfer(self, facts: list[ContractFact]) -> None:
        [transfer] = [g for g in compute_turnover(facts, region="21", by=["type"])["type"] if g.key == "transfer"]
        assert {k: (g.count, g.contract_value) for k, g in transfer.parts.items()} == {"license": (1, Decimal(200))}

    def test_flow_splits_output_and_absorption_by_province(self, facts: list[ContractFact]) -> None:
        groups = {g.key: (g.count, g.contract_value) for g in compute_turnover(facts, region="21", by=["flow"])["flow"]}
        assert groups == {
            "output.total": (7, Decimal("745.5")),
            "output.in_province": (5, Decimal(520)),
            "output.out_of_province": (2, Decimal("225.5")),
            "absorb.total": (6, Decimal(560)),
            "absorb.in_province": (5, Decimal(520)),
            "absorb.out_of_province": (1, Decimal(40)),
        }

    def test_city_flow_has_a_local_share(self, facts: list[ContractFact]) -> None:
        groups = {g.key: g.contract_value for g in compute_turnover(facts, region="2101", by=["flow"])["flow"]}
        assert groups["output.local"] == Decimal(170)  # C1 100, C6 60, C8 10
        assert groups["output.out_of_province"] == Decimal(200)  # C3

    def test_quarters_follow_registration_dates(self, facts: list[ContractFact]) -> None:
        groups = {g.key: g.contract_value for g in compute_turnover(facts, region="21", by=["quarter"])["quarter"]}
        assert groups == {
            "2024Q1": Decimal(150),
            "2024Q2": Decimal(500),
            "2024Q3": Decimal(60),
            "2024Q4": Decimal("25.5"),
            "2025Q1": Decimal(10),
        }

    def test_party_type_counts_output_by_seller_kind_and_absorption_by_buyer_kind(
        self, facts: list[ContractFact]
    ) -> None:
        kinds = {"C1": ENT, "C2": ENT, "C4": ENT, "C5": ENT, "C6": ENT, "C8": OTH}  # C3, C7: buyers outside 21
        given = [replace(f, buyer_kind=kinds.get(f.contract_id)) for f in facts]
        table = compute_turnover(given, region="21", by=["party"])["party"]
        groups = {g.key: (g.count, g.contract_value) for g in table}
        assert groups == {
            "output.university": (3, Decimal("325.5")),  # C1, C3, C7
            "output.institute": (2, Decimal(110)),  # C2, C6
            "output.enterprise": (1, Decimal(300)),  # C4
            "output.other": (1, Decimal(10)),  # C8
            "absorb.enterprise": (5, Decimal(550)),  # C1, C2, C4, C5 (a Beijing seller), C6
            "absorb.other": (1, Decimal(10)),  # C8
        }
        untold = {g.key for g in compute_turnover(facts, region="21", by=["party"])["party"]}
        assert "absorb.unknown" in untold  # the file gives no buyer kind

    def test_unknown_grouping_is_refused(self, facts: list[ContractFact]) -> None:
        with pytest.raises(InvalidDataError):
            compute_turnover(facts, region="21", by=["colour"])


class TestRegionPrefix:
    @pytest.mark.parametrize(("code", "prefix"), [("210000", "21"), ("210100", "2101"), ("210102", "210102")])
    def test_drops_trailing_zero_pairs(self, code: str, prefix: str) -> None:
        assert region_prefix(code) == prefix


class TestDescribeDefinition:
    def test_states_basis_scope_and_null_rule(self) -> None:
        text = describe_definition(ConversionDefinition(region="2101", scope=Scope.CITY, basis=Basis.COUNT))
        assert "count basis" in text
        assert "2101" in text
        assert "null" in text

    def test_a_transfer_filter_says_it_includes_licences(self) -> None:
        definition = ConversionDefinition(region="21", types=(ContractType.TRANSFER,))
        assert "技术转让（含许可）" in describe_definition(definition, "zh")
        assert "transfer (incl. licence)" in describe_definition(definition)

    def test_a_region_label_replaces_the_bare_code(self) -> None:
        definition = ConversionDefinition(region="2102", scope=Scope.CITY)
        text = describe_definition(definition, "zh", "大连市 (2102)")
        assert "卖方为大连市 (2102)（按所在城市：行政区划代码前 4 位，直辖市为一市，省直辖县级市各为一市）" in text
        assert "地区 2102" not in text

    def test_chinese_text_names_the_amount(self) -> None:
        text = describe_definition(ConversionDefinition(region="21", amount=Amount.TECHNOLOGY_INCOME), "zh")
        assert "技术交易额" in text
