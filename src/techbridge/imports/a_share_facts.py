"""A listed company's tier-engine facts and profile columns, from what `a_share_financials` read.

Money is converted exactly (Decimal) from 元 to the engine's 万元 and written as a JSON number whose text is that
exact decimal; a series lists 2022…2024 oldest first with null for a year the source lacks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techbridge.imports.context import ImportContext
from techbridge.imports.schemas import Reason

if TYPE_CHECKING:
    from techbridge.imports.a_share_financials import Company

YUAN_PER_WAN = Decimal(10000)
EMPLOYEES_AS_OF = 2024  # SOURCE.txt: the employee count is one snapshot, ≈ FY2024 year-end
SELF_DECLARED_SOURCE = "企业自述：公司简介/主营业务中的称号（tier_mentions_self_declared.csv），非官方名单"


def to_wan(text: str) -> Decimal | None:
    """An amount in 元 as exact 万元; blank or NaN is None; anything else unreadable raises ValueError."""
    text = text.strip()
    if not text or text.lower() == "nan":
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not amount.is_finite():
        raise ValueError(text)
    return amount / YUAN_PER_WAN


def json_number(amount: Decimal) -> int | float:
    """`amount` as a JSON-native number that prints as exactly the same decimal (else ValueError)."""
    if amount == amount.to_integral_value():
        return int(amount)
    number = float(amount)
    if Decimal(repr(number)) != amount:
        raise ValueError(f"{amount} has no exact short float form")
    return number


def _amount(ctx: ImportContext, path: Path, row: dict[str, str], column: str) -> int | float | None:
    """One 元 column of a year row as a non-negative 万元 JSON number, or None (rejections are recorded)."""
    try:
        amount = to_wan(row.get(column, ""))
        if amount is None:
            return None
        if amount < 0:
            raise ValueError(row[column])
        return json_number(amount)
    except ValueError as exc:
        ctx.reject(path, int(row["_row"]), column, Reason.WRONG_TYPE, str(exc))
        return None


def facts_of(company: Company, org_id: int, ctx: ImportContext, path: Path) -> list[dict[str, Any]]:
    """The company's facts: revenue_history, total_assets (latest year), employees, listed."""
    from techbridge.imports.a_share_financials import FACTS_FILE

    table = path / FACTS_FILE
    facts: list[dict[str, Any]] = []
    if company.years:
        first, last = min(company.years), max(company.years)
        rows = [company.years.get(year) for year in range(first, last + 1)]
        revenue = [None if row is None else _amount(ctx, table, row, "revenue_yuan") for row in rows]
        if any(value is not None for value in revenue):
            facts.append(_fact(org_id, "revenue_history", revenue, last))
        assets = [(y, _amount(ctx, table, r, "total_assets_yuan")) for y, r in sorted(company.years.items())]
        latest = [(year, value) for year, value in assets if value is not None]
        if latest:
            facts.append(_fact(org_id, "total_assets", latest[-1][1], latest[-1][0]))
    employees = _count(company.employees)
    if employees is not None:
        facts.append(_fact(org_id, "employees", employees, EMPLOYEES_AS_OF))
    if company.listed:
        facts.append(_fact(org_id, "listed", True, None))
    return facts


def _fact(org_id: int, fact: str, value: Any, year: int | None) -> dict[str, Any]:
    return {"organization_id": org_id, "fact": fact, "value": value, "year": year}


def _count(text: str) -> int | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() and number >= 0 and number == number.to_integral_value() else None


FINANCIAL_COLUMNS = {
    "revenue_wan": "revenue_yuan",
    "operating_profit_wan": "operating_profit_yuan",
    "total_profit_wan": "total_profit_yuan",
    "net_profit_attr_parent_wan": "net_profit_attr_parent_yuan",
    "total_assets_wan": "total_assets_yuan",
    "fixed_assets_wan": "fixed_assets_yuan",
}


def _wan_text(text: str) -> str | None:
    """An amount in 元 as the exact 万元 decimal text (profits may be negative); None when blank or unreadable."""
    try:
        amount = to_wan(text)
    except ValueError:
        return None
    if amount is None:
        return None
    return f"{amount.normalize():f}"


def financials_of(company: Company) -> dict[str, dict[str, str]]:
    """Year → the reported figures in 万元 as exact decimal text, and ROE in %: for display, not tier facts."""
    table: dict[str, dict[str, str]] = {}
    for year, row in sorted(company.years.items()):
        figures = {key: _wan_text(row.get(column, "")) for key, column in FINANCIAL_COLUMNS.items()}
        roe = row.get("roe_pct", "").strip()
        figures["roe_pct"] = roe if roe and roe.lower() != "nan" else None
        table[str(year)] = {key: value for key, value in figures.items() if value is not None}
    return table


def profile_update(
    company: Company, org_id: int, place: str | None, stored: tuple[str | None, str, Any, int | None]
) -> dict[str, Any]:
    """The organization's new region (a city refines its province), description, extra and employees.

    Blanks are filled and the province refined; a value someone else stored is never replaced."""
    region, description, extra, employees = stored
    if place and (region is None or (len(region) < len(place) and place.startswith(region))):
        region = place
    added: dict[str, Any] = {
        "main_business": company.main_business,
        "registered_capital_wan": company.registered_capital_wan,
    }
    if company.years:
        added["financials"] = financials_of(company)
        added["financials_source"] = "a_share_financials_2022_2024（Tushare 财务数据，元 → 万元）"
    if company.honours:
        added["self_declared_honours"] = company.honours
        added["self_declared_source"] = SELF_DECLARED_SOURCE
    return {
        "id": org_id,
        "region_code": region,
        "description": description or company.introduction,
        "extra": {**extra, **{key: value for key, value in added.items() if value}},
        "employees": employees if employees is not None else _count(company.employees),
    }
