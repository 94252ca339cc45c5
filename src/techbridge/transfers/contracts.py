"""Import technology contracts from registration-office files (CSV or XLSX) into the registry, all or nothing.

Rows are parsed by `loader.parse_contracts`, the parser the metrics' file mode uses. Like the registry's spreadsheet
imports (`imports.spreadsheet`), a file is all-or-nothing: every row is checked first, and if any row has an error
ContractsRejectedError lists every one (row, column, reason) and nothing is written; warnings (a late registration,
a credit code not used) never reject. Parties are resolved with the registry's own entity resolution
(`registry.resolve`: credit code, then normalized name with aliases): a resolved party is linked by id, an
unresolved one is kept by name only. A credit code that fails the GB 32100-2015 check is not used for resolution
nor stored, and is reported as a warning. An import is idempotent: a contract id already stored is updated in place.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.errors import InvalidDataError, PermissionDeniedError
from techbridge.models import Contract, Role
from techbridge.registry.resolve import NameNormalizer, OrgIndex, OrgRecord
from techbridge.transfers import queries
from techbridge.transfers.dashboard import city_names
from techbridge.transfers.loader import contract_file_text, parse_contracts
from techbridge.transfers.schemas import ContractFact, RowError


@dataclass
class ImportReport:
    """What an import did: counts and warnings (accepted rows with a doubt)."""

    created: int = 0
    updated: int = 0
    linked_parties: int = 0
    warnings: list[RowError] = field(default_factory=list)


class ContractsRejectedError(InvalidDataError):
    """A contracts file with bad rows: nothing was imported; `errors` lists every problem, `warnings` the doubts."""

    def __init__(self, name: str, errors: list[RowError], warnings: list[RowError]) -> None:
        rows = len({error.row for error in errors})
        super().__init__(
            f"{name}: {len(errors)} problem(s) in {rows} row(s), nothing was imported",
            message_zh=f"{name}：{rows} 行共 {len(errors)} 处错误，未导入任何数据",
        )
        self.errors = errors
        self.warnings = warnings

    @property
    def rejected_rows(self) -> list[int]:
        """Line numbers of the rejected rows."""
        return sorted({error.row for error in self.errors})


class PartyResolver:
    """Finds the registry organization behind a contract party (same rules as the registry import)."""

    def __init__(self, session: Session) -> None:
        self.normalizer = NameNormalizer(city_names().values())
        self.index = OrgIndex()
        aliases: dict[int, list[str]] = {}
        for org_id, alias in queries.organization_aliases(session):
            aliases.setdefault(org_id, []).append(alias)
        for org_id, name, credit, listing in queries.organization_rows(session):
            record = OrgRecord(org_id, name, self.normalizer.key(name), credit, listing)
            record.alias_keys = [self.normalizer.key(alias) for alias in aliases.get(org_id, [])]
            self.index.add(record)

    def resolve(self, name: str, credit_code: str | None) -> int | None:
        """The organization id, or None when unknown or ambiguous."""
        if not name and not credit_code:
            return None
        found = self.index.resolve(key=self.normalizer.key(name), credit_code=credit_code)
        return found.organization_id if found else None


def _apply(contract: Contract, fact: ContractFact, source: str) -> None:
    contract.type = str(fact.type)
    contract.registration_no = fact.registration_no or None
    contract.seller_name = fact.seller_name
    contract.seller_credit_code = fact.seller_credit_code or None
    contract.seller_region_code = fact.seller_region_code
    contract.seller_kind = str(fact.seller_kind)
    contract.buyer_name = fact.buyer_name
    contract.buyer_credit_code = fact.buyer_credit_code or None
    contract.buyer_region_code = fact.buyer_region_code
    contract.buyer_kind = str(fact.buyer_kind) if fact.buyer_kind else None
    contract.contract_value = fact.contract_value
    contract.technology_income = fact.technology_income
    contract.signed_on = fact.signed_on
    contract.registered_on = fact.registered_on
    contract.field = fact.field
    contract.source_file = source


def _registration_errors(session: Session, rows: list[tuple[int, ContractFact]]) -> list[RowError]:
    """A registration number the registry already holds under another contract id is a row error."""
    stored = queries.contract_nos_by_registration(
        session, [fact.registration_no for _, fact in rows if fact.registration_no]
    )
    errors = []
    for row, fact in rows:
        other = stored.get(fact.registration_no)
        if other is not None and other != fact.contract_id:
            errors.append(
                RowError(
                    row,
                    "registration_no",
                    f"registration number {fact.registration_no} is already stored as contract {other}",
                    f"登记号 {fact.registration_no} 已登记为合同 {other}",
                )
            )
    return errors


def import_contracts_text(
    *, session: Session, text: str, viewer: Viewer, source: str = "upload", is_demo: bool = False
) -> ImportReport:
    """Import contracts from CSV text in the import format, all or nothing (ContractsRejectedError when any row is
    bad); see the module docstring for the rules."""
    if not viewer.is_privileged and viewer.role != Role.BROKER:
        raise PermissionDeniedError("only officers import contracts", message_zh="仅主管部门用户可导入技术合同")
    parsed = parse_contracts(io.StringIO(text, newline=""))
    errors = parsed.errors + _registration_errors(session, parsed.rows)
    if errors:
        raise ContractsRejectedError(source, sorted(errors, key=lambda e: e.row), parsed.warnings)
    report = ImportReport(warnings=parsed.warnings)
    resolver = PartyResolver(session)
    existing = queries.contract_ids_by_no(session, [fact.contract_id for _, fact in parsed.rows])
    for _row, fact in parsed.rows:
        contract = session.get(Contract, existing[fact.contract_id]) if fact.contract_id in existing else None
        if contract is None:
            contract = Contract(contract_no=fact.contract_id, is_demo=is_demo)
            session.add(contract)
            report.created += 1
        else:
            report.updated += 1
        _apply(contract, fact, source)
        contract.seller_id = resolver.resolve(fact.seller_name, fact.seller_credit_code or None)
        contract.buyer_id = resolver.resolve(fact.buyer_name, fact.buyer_credit_code or None)
        report.linked_parties += (contract.seller_id is not None) + (contract.buyer_id is not None)
    queries.refresh_rollups(session, demo=is_demo)
    return report


def import_contracts_file(*, session: Session, path: Path, viewer: Viewer) -> ImportReport:
    """Import a contracts file: CSV (UTF-8 or GBK) or XLSX, header row first (`loader.contract_file_text`)."""
    return import_contracts_text(session=session, text=contract_file_text(path), viewer=viewer, source=path.name)
