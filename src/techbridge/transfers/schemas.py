"""Value types of the transfers package: contract facts, metric definitions and their results (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class ContractType(StrEnum):
    """技术合同 types (Civil Code Art. 843; 许可 split from 转让 since 2021)."""

    DEVELOPMENT = "development"
    TRANSFER = "transfer"
    LICENSE = "license"
    CONSULTING = "consulting"
    SERVICE = "service"


class PartyKind(StrEnum):
    """What a contract party is, as the registration office records it."""

    UNIVERSITY = "university"
    INSTITUTE = "institute"
    ENTERPRISE = "enterprise"
    OTHER = "other"


class Basis(StrEnum):
    """Local conversion rate basis: sum of money or number of contracts."""

    VALUE = "value"
    COUNT = "count"


class Scope(StrEnum):
    """What "local" means: same province (2-digit prefix) or same city (4-digit prefix)."""

    PROVINCE = "province"
    CITY = "city"


class Amount(StrEnum):
    """Which money column the value basis sums: 成交额 or verified 技术交易额."""

    CONTRACT_VALUE = "contract_value"
    TECHNOLOGY_INCOME = "technology_income"


SCOPE_DIGITS: dict[Scope, int] = {Scope.PROVINCE: 2, Scope.CITY: 4}
DEFAULT_SELLERS: tuple[PartyKind, ...] = (PartyKind.UNIVERSITY, PartyKind.INSTITUTE)


@dataclass(frozen=True, slots=True)
class ContractFact:
    """One technology contract reduced to what the metrics need; amounts in 万元 (income None when unverified)."""

    contract_id: str
    type: ContractType
    seller_region_code: str
    seller_kind: PartyKind
    buyer_region_code: str
    contract_value: Decimal
    technology_income: Decimal | None
    registered_on: date
    field: str = ""
    seller_name: str = ""
    buyer_name: str = ""
    seller_credit_code: str = ""
    buyer_credit_code: str = ""
    buyer_kind: PartyKind | None = None
    signed_on: date | None = None
    registration_no: str = ""


@dataclass(frozen=True, slots=True)
class RowError:
    """A rejected or doubtful input row: 1-based line number in the file (header is line 1), column, message."""

    row: int
    column: str
    message: str
    message_zh: str

    def render(self, lang: str = "en") -> str:
        """`row 7, contract_value: not a number`, in `lang`."""
        text = self.message_zh if lang.startswith("zh") else self.message
        return f"row {self.row}, {self.column}: {text}" if lang == "en" else f"第 {self.row} 行 {self.column}：{text}"


@dataclass(frozen=True, slots=True)
class ConversionDefinition:
    """The configurable definition of the local conversion rate (see docs and the domain README)."""

    region: str
    basis: Basis = Basis.VALUE
    scope: Scope = Scope.PROVINCE
    amount: Amount = Amount.CONTRACT_VALUE
    sellers: tuple[PartyKind, ...] = DEFAULT_SELLERS
    types: tuple[ContractType, ...] = ()
    fields: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True, slots=True)
class ConversionResult:
    """A computed rate (None when the denominator is 0) with its parts and the definition it used."""

    rate: Decimal | None
    numerator: Decimal
    denominator: Decimal
    contracts_in_denominator: int
    contracts_in_numerator: int
    excluded: tuple[RowError, ...] = field(default=())
