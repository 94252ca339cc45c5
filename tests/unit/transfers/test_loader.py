"""Reading contract CSVs: good rows become facts, every problem of a bad row is reported with its line number."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from techbridge.errors import InvalidDataError
from techbridge.transfers.loader import read_contracts
from techbridge.transfers.schemas import ContractType, PartyKind

DATA = Path(__file__).resolve().parents[2] / "data" / "contracts"


class TestReadContracts:
    def test_good_rows_of_a_broken_file_survive(self) -> None:
        facts, _ = read_contracts(DATA / "broken.csv")
        assert [f.contract_id for f in facts] == ["B1", "B8"]

    def test_chinese_labels_and_thousands_separators_are_accepted(self) -> None:
        facts, _ = read_contracts(DATA / "broken.csv")
        b8 = facts[1]
        assert (b8.type, b8.seller_kind, b8.contract_value) == (ContractType.TRANSFER, PartyKind.UNIVERSITY, 1000)

    def test_every_bad_row_is_reported_with_its_line(self) -> None:
        _, errors = read_contracts(DATA / "broken.csv")
        assert {(e.row, e.column) for e in errors} == {
            (3, "contract_value"),
            (4, "seller_region_code"),
            (5, "type"),
            (6, "registered_on"),
            (7, "contract_id"),
            (9, "seller_kind"),
            (9, "buyer_region_code"),
            (9, "contract_value"),
        }

    def test_missing_required_column_fails_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "c.csv"
        path.write_text("contract_id,type\nX,transfer\n", encoding="utf-8")
        with pytest.raises(InvalidDataError, match="seller_region_code"):
            read_contracts(path)

    def test_blank_income_is_unknown_not_zero(self) -> None:
        facts, _ = read_contracts(DATA / "basic.csv")
        assert {f.contract_id: f.technology_income for f in facts}["C6"] is None
        assert {f.contract_id: f.technology_income for f in facts}["C7"] == Decimal("25.5")
