"""The chain report as an XLSX workbook (one sheet per part), built from the report's JSON form."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook

SHEETS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "薄弱环节",
        "weak_links",
        (
            ("节点", "name"),
            ("类型", "kind"),
            ("得分", "score"),
            ("下游依赖", "reach"),
            ("营收权重", "market_weight"),
            ("本地企业", "regional_producers"),
            ("外地企业数", "national_producers"),
            ("原因", "reason"),
        ),
    ),
    ("链主", "leaders", (("企业", "name"), ("地区", "region_code"), ("得分", "score"), ("节点", "nodes"))),
    (
        "招商补链",
        "candidates",
        (("企业", "name"), ("省份", "province_code"), ("得分", "score"), ("补哪些环节", "fills"), ("理由", "reasons")),
    ),
    (
        "覆盖",
        "coverage",
        (
            ("节点", "name"),
            ("位置", "position"),
            ("跳数", "hop"),
            ("状态", "status"),
            ("本地企业", "regional_producers"),
            ("外地企业数", "national_producers"),
            ("院所", "institutions"),
            ("成果", "achievements"),
        ),
    ),
)


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "；".join(_cell(v) if not isinstance(v, dict) else str(v.get("name") or v.get("title")) for v in value)
    return value


def report_workbook(payload: dict[str, Any]) -> bytes:
    """The report JSON (`service.report_json(..., "all")`) as XLSX bytes, with the consortium draft last."""
    book = Workbook()
    info = book.active
    assert info is not None
    info.title = "说明"
    info.append(["产业链", payload["chain"]["title"]])
    info.append(["地区", payload["region"]])
    info.append(["成果相关性方法", payload["relevance_method"]])
    for key, value in payload["summary"].items():
        info.append([key, value])
    for title, key, columns in SHEETS:
        sheet = book.create_sheet(title)
        sheet.append([label for label, _ in columns])
        for row in payload.get(key) or []:
            sheet.append([_cell(row.get(field)) for _, field in columns])
    sheet = book.create_sheet("创新联合体")
    sheet.append(["角色", "成员", "得分", "理由"])
    for member in (payload.get("consortium") or {}).get("members", []):
        sheet.append([member["role"], member["name"], member["score"], _cell(member["reasons"])])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
