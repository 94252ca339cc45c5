"""The chain report as an XLSX workbook (one sheet per part), built from the report's JSON form."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook

from techbridge.i18n.loader import translate

SHEETS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "weak_links",
        (
            ("node", "name"),
            ("kind", "kind"),
            ("score", "score"),
            ("reach", "reach"),
            ("market_weight", "market_weight"),
            ("regional_producers", "regional_producers"),
            ("national_producers", "national_producers"),
            ("reason", "reason_text"),
        ),
    ),
    ("leaders", (("enterprise", "name"), ("region", "region_code"), ("score", "score"), ("node", "nodes"))),
    (
        "candidates",
        (
            ("enterprise", "name"),
            ("province", "province_code"),
            ("score", "score"),
            ("fills", "fills"),
            ("reason", "reason_text"),
        ),
    ),
    (
        "coverage",
        (
            ("node", "name"),
            ("position", "position"),
            ("hop", "hop"),
            ("status", "status"),
            ("regional_producers", "regional_producers"),
            ("national_producers", "national_producers"),
            ("institutions", "institutions"),
            ("achievements", "achievements"),
        ),
    ),
)
"""Each sheet (its name: `chains.xlsx.sheet.<key>`) and its columns (heading `chains.xlsx.col.<key>`, payload field)."""


def _cell(value: Any, sep: str) -> Any:
    if isinstance(value, list | tuple):
        return sep.join(
            _cell(v, sep) if not isinstance(v, dict) else str(v.get("name") or v.get("title")) for v in value
        )
    return value


def report_workbook(payload: dict[str, Any], lang: str = "zh") -> bytes:
    """The report JSON (`service.report_json(..., "all", lang)`) as XLSX bytes, with the consortium draft last;
    sheet names, headings and the reasons in `lang`."""
    sep = translate("common.semicolon", lang)

    def t(key: str) -> str:
        return translate(f"chains.xlsx.{key}", lang)

    book = Workbook()
    info = book.active
    assert info is not None
    info.title = t("sheet.info")
    info.append([t("col.chain"), payload["chain"].get("title_text") or payload["chain"]["title"]])
    info.append([t("col.region"), payload["region"]])
    info.append([t("col.relevance_method"), payload.get("relevance_text") or payload["relevance_method"]])
    for key, value in payload["summary"].items():
        info.append([key, value])
    for key, columns in SHEETS:
        sheet = book.create_sheet(t(f"sheet.{key}"))
        sheet.append([t(f"col.{label}") for label, _ in columns])
        for row in payload.get(key) or []:
            sheet.append([_cell(row.get(field), sep) for _, field in columns])
    sheet = book.create_sheet(t("sheet.consortium"))
    sheet.append([t("col.role"), t("col.member"), t("col.score"), t("col.reason")])
    for member in (payload.get("consortium") or {}).get("members", []):
        reasons = member.get("reasons_text") or member["reasons"]
        role = translate(f"chains.role.{member['role']}", lang)
        sheet.append([role, member["name"], member["score"], _cell(reasons, sep)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
