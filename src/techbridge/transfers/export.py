"""The dashboard's tables as plain rows (shown in the page and exported to XLSX, one sheet per table), each with the
definition it was computed under and the demo label when the figures are demonstration data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from techbridge.i18n.loader import translate
from techbridge.transfers.analytics import Bottlenecks
from techbridge.transfers.dashboard import DashboardData

TABLES = ("headline", "quarters", "cities", "fields", "types", "flows", "funnel", "reasons")


@dataclass(frozen=True)
class Table:
    """A titled table with its definition note."""

    name: str
    title: str
    note: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    percent_columns: tuple[int, ...] = ()


def _ratio(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def build_tables(data: DashboardData, funnel: Bottlenecks | None, lang: str) -> dict[str, Table]:
    """Every dashboard table, keyed by name (see TABLES)."""

    def t(key: str) -> str:
        return translate(f"dashboard.{key}", lang)

    definition = data.headline_value.definition
    turnover_cols = (t("col_group"), t("col_count"), t("col_value"), t("col_income"))
    tables = [
        Table(
            "headline",
            t("table_headline"),
            definition,
            (t("col_figure"), t("col_rate"), t("col_numerator"), t("col_denominator"), t("col_definition")),
            [
                (
                    t("rate_value"),
                    _ratio(data.headline_value.rate),
                    _money(data.headline_value.numerator),
                    _money(data.headline_value.denominator),
                    data.headline_value.definition,
                ),
                (
                    t("rate_count"),
                    _ratio(data.headline_count.rate),
                    _money(data.headline_count.numerator),
                    _money(data.headline_count.denominator),
                    data.headline_count.definition,
                ),
            ],
            (1,),
        ),
        Table(
            "quarters",
            t("table_quarters"),
            definition,
            (t("col_quarter"), t("col_rate"), t("col_value")),
            [(r["key"], _ratio(r["rate"]), _money(r["contract_value"])) for r in data.by_quarter],
            (1,),
        ),
        Table(
            "cities",
            t("table_cities"),
            t("city_note"),
            (t("col_city"), t("col_rate"), t("col_numerator"), t("col_denominator"), t("col_output")),
            [
                (
                    r["label"],
                    _ratio(r["rate"]),
                    _money(r["numerator"]),
                    _money(r["denominator"]),
                    _money(r["output_value"]),
                )
                for r in data.by_city
            ],
            (1,),
        ),
        Table("fields", t("table_fields"), t("turnover_note"), turnover_cols, _turnover_rows(data.by_field)),
        Table(
            "types",
            t("table_types"),
            t("turnover_note"),
            turnover_cols,
            _type_rows(data.by_type, lang),
        ),
        Table(
            "flows",
            t("table_flows"),
            t("flow_note"),
            (t("col_group"), t("col_count"), t("col_value")),
            [
                (
                    translate(f"dashboard.flow_{r['key'].replace('.', '_')}", lang),
                    r["count"],
                    _money(r["contract_value"]),
                )
                for r in data.flows
            ],
        ),
    ]
    tables += _funnel_tables(funnel, lang)
    return {table.name: table for table in tables}


def _turnover_rows(rows: Sequence[dict[str, Any]], label: Any = str) -> list[tuple[Any, ...]]:
    return [(label(r["key"]), r["count"], _money(r["contract_value"]), _money(r["technology_income"])) for r in rows]


def _type_rows(rows: Sequence[dict[str, Any]], lang: str) -> list[tuple[Any, ...]]:
    """Type rows, each report group followed by its sub-rows (其中：技术许可)."""
    of_which = translate("dashboard.of_which", lang)

    def name(key: str) -> str:
        return translate(f"dashboard.type_{key}", lang)

    table: list[tuple[Any, ...]] = []
    for row in rows:
        table += _turnover_rows([row], name)
        table += _turnover_rows(row.get("of_which", []), lambda key: of_which + name(key))
    return table


def _funnel_tables(funnel: Bottlenecks | None, lang: str) -> list[Table]:
    def t(key: str) -> str:
        return translate(f"dashboard.{key}", lang)

    stages = funnel.stages if funnel else ()
    reasons = funnel.closing_reasons if funnel else ()
    return [
        Table(
            "funnel",
            t("table_funnel"),
            t("funnel_note"),
            (t("col_stage"), t("col_reached"), t("col_conversion"), t("col_median_days"), t("col_closed_here")),
            [
                (
                    translate(f"transfers.stage_{s.stage}", lang),
                    s.reached,
                    _ratio(s.conversion_to_next),
                    s.median_days,
                    s.closed_here,
                )
                for s in stages
            ],
            (2,),
        ),
        Table(
            "reasons",
            t("table_reasons"),
            t("funnel_note"),
            (t("col_reason"), t("col_count")),
            [(translate(f"transfers.reason_{name}", lang), count) for name, count in reasons],
        ),
    ]


def tables_to_xlsx(tables: Sequence[Table], *, demo_label: str | None) -> bytes:
    """A workbook with one sheet per table: title, definition note, demo label if any, then the table."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(title=table.name[:31])
        sheet.append([table.title])
        sheet.append([table.note])
        if demo_label:
            sheet.append([demo_label])
        sheet.append(list(table.headers))
        for row in table.rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
