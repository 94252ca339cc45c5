"""Contract import into the registry: rows rejected with line numbers, parties resolved, re-import updates."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.models import Contract, Organization, OrgKind
from techbridge.transfers.contracts import ContractsRejectedError, import_contracts_file, import_contracts_text
from techbridge.transfers.metrics import compute_local_conversion
from techbridge.transfers.queries import iter_contract_facts
from techbridge.transfers.schemas import ConversionDefinition

DATA = Path(__file__).resolve().parents[2] / "data" / "contracts"
HEADER = (
    "contract_id,type,seller_name,seller_credit_code,seller_region_code,seller_kind,buyer_name,buyer_credit_code,"
    "buyer_region_code,contract_value,technology_income,signed_on,registered_on,field\n"
)


class TestImportContracts:
    def test_a_file_with_bad_rows_is_rejected_whole_with_every_error(self, session: Session) -> None:
        with pytest.raises(ContractsRejectedError) as caught:
            import_contracts_file(session=session, path=DATA / "broken.csv", viewer=SYSTEM)
        assert caught.value.rejected_rows == [3, 4, 5, 6, 7, 9]
        assert (9, "contract_value") in {(e.row, e.column) for e in caught.value.errors}
        assert session.scalar(select(func.count()).select_from(Contract)) == 0  # not even the good rows B1 and B8

    def test_a_rejected_file_leaves_earlier_contracts_untouched(self, session: Session) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        bad = (DATA / "basic.csv").read_text(encoding="utf-8").replace("C1,development", "C1,rental")
        bad = bad.replace(",100,80,", ",999,80,")
        with pytest.raises(ContractsRejectedError):
            import_contracts_text(session=session, text=bad, viewer=SYSTEM)
        assert session.scalar(select(Contract.contract_value).where(Contract.contract_no == "C1")) == 100

    def test_reimport_updates_in_place(self, session: Session) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        report = import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        assert (report.created, report.updated) == (0, 8)

    def test_registry_metrics_equal_file_metrics(self, session: Session) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        result = compute_local_conversion(iter_contract_facts(session), ConversionDefinition(region="21"))
        assert (result.numerator, result.denominator) == (210, 435.5)

    def test_parties_resolve_by_credit_code_and_name(self, session: Session) -> None:
        neu = Organization(
            kind=OrgKind.UNIVERSITY, name="东北大学", normalized_name="东北大学", credit_code="12100000400009565C"
        )
        firm = Organization(
            kind=OrgKind.ENTERPRISE, name="沈阳新松机器人自动化股份有限公司", normalized_name="新松机器人自动化"
        )
        session.add_all([neu, firm])
        session.flush()
        text = (
            HEADER
            + "K1,transfer,东北大学（南湖校区）,12100000400009565C,210102,university,"
            + "新松机器人自动化股份有限公司,,210112,5,5,,2025-01-02,\n"
        )
        report = import_contracts_text(session=session, text=text, viewer=SYSTEM)
        contract = session.scalar(select(Contract).where(Contract.contract_no == "K1"))
        assert contract is not None
        assert (contract.seller_id, contract.buyer_id, report.linked_parties) == (neu.id, firm.id, 2)

    def test_bad_credit_code_is_a_warning_not_a_rejection(self, session: Session) -> None:
        text = HEADER + "K2,service,某大学,91210100XXXXXXXXX1,210102,university,某公司,,210102,1.5,1,,2025-01-02,\n"
        report = import_contracts_text(session=session, text=text, viewer=SYSTEM)
        assert report.created == 1
        assert [(w.row, w.column) for w in report.warnings] == [(2, "seller_credit_code")]

    def test_a_registration_number_stored_under_another_contract_is_a_row_error(self, session: Session) -> None:
        header = (
            "contract_id,registration_no,type,seller_name,seller_region_code,seller_kind,buyer_name,contract_value,"
        )
        header += "registered_on\n"
        body = ",2024210100000123,development,东北大学,210102,university,某公司,5,2024-01-02\n"
        import_contracts_text(session=session, text=header + "R1" + body, viewer=SYSTEM)
        with pytest.raises(ContractsRejectedError) as caught:
            import_contracts_text(session=session, text=header + "R2" + body, viewer=SYSTEM)
        assert [(e.row, e.column) for e in caught.value.errors] == [(2, "registration_no")]
        assert session.scalar(select(Contract.contract_no).where(Contract.contract_no == "R2")) is None
