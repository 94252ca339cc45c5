"""Reading the stored candidate pools: filtered, sorted pages with counts per verdict, the city ladder, XLSX export.

Nothing here evaluates a policy: everything reads the entries the pool refresh stored.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from techbridge.errors import InvalidDataError
from techbridge.models import TierPoolEntry
from techbridge.policies import pool_queries
from techbridge.policies.pool_queries import SORT_COLUMNS, PoolFilter
from techbridge.policies.pool_sheet import write_sheet
from techbridge.policies.pools import POOL_VERDICTS
from techbridge.policies.schema import POLICY_IDS
from techbridge.registry.queries import region_names
from techbridge.registry.regions import region_name
from techbridge.transfers.metrics import city_of

PER_PAGE = 50
MAX_PER_PAGE = 500
EXPORT_HEADER = ("policy", "version", "verdict", "enterprise_id", "name", "credit_code", "region_code", "score")
EXPORT_TAIL = ("closeness", "detail")


def region_prefix(code: str | None) -> str | None:
    """A region code as the prefix its enterprises share: 210100 → 2101, 210000 → 21, 2101 → 2101."""
    if not code:
        return None
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def make_filter(
    *,
    session: Session,
    policy: str | None = None,
    verdict: str | None = None,
    region: str | None = None,
    cluster: str | None = None,
    as_of: date | None = None,
) -> PoolFilter:
    """Validated filters over the stored pools; `as_of` must be the date they were computed for."""
    if policy and policy not in POLICY_IDS:
        raise InvalidDataError(f"unknown policy {policy!r}", message_zh=f"未知的政策 {policy!r}")
    if verdict and verdict not in POOL_VERDICTS:
        raise InvalidDataError(
            f"verdict: expected one of {', '.join(POOL_VERDICTS)}",
            message_zh=f"结论应为 {'、'.join(POOL_VERDICTS)} 之一",
        )
    stored = pool_queries.pool_date(session)
    if as_of is not None and stored is not None and as_of != stored:
        raise InvalidDataError(
            f"the pools are computed as of {stored}; run `techbridge tiers pools refresh --as-of {as_of}`",
            message_zh=f"培育对象库的评价日期为 {stored}；请先运行 techbridge tiers pools refresh --as-of {as_of}",
        )
    day = stored or as_of or date.today()
    return PoolFilter(day, policy or None, verdict or None, region_prefix(region), (cluster or "").strip() or None)


def _check_page(sort: str, page: int, per_page: int) -> None:
    if sort not in SORT_COLUMNS:
        raise InvalidDataError("sort: expected score or closeness", message_zh="排序应为 score 或 closeness")
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidDataError(
            f"page ≥ 1 and 1 ≤ per_page ≤ {MAX_PER_PAGE}", message_zh=f"页码须 ≥ 1，每页条数须在 1–{MAX_PER_PAGE} 之间"
        )


def show_entry(entry: TierPoolEntry, name: str, credit_code: str | None) -> dict[str, Any]:
    """One stored entry as pages, the API and the CLI show it."""
    return {
        "id": entry.organization_id,
        "name": name,
        "credit_code": credit_code,
        "region_code": entry.region_code,
        "policy": entry.policy,
        "version": entry.version,
        "verdict": entry.verdict,
        "score": entry.score,
        "closeness": round(entry.closeness, 4),
        **entry.detail,
    }


def read_pools(
    *, session: Session, flt: PoolFilter, sort: str = "closeness", page: int = 1, per_page: int = PER_PAGE
) -> dict[str, Any]:
    """One page of the filtered pools, best first, with the total, the count per verdict (of the policy filtered on)
    and per policy × verdict (under the region and cluster filters), and how many of the registry's enterprises the
    pools already hold for their date (`complete` false while a refresh to a new date runs: the pools are partial)."""
    _check_page(sort, page, per_page)
    counts = pool_queries.counts_by_policy_verdict(session, flt)
    by_verdict = {
        v: sum(n for (p, verdict), n in counts.items() if verdict == v and (flt.policy in (None, p)))
        for v in POOL_VERDICTS
    }
    total = by_verdict[flt.verdict] if flt.verdict else sum(by_verdict.values())
    rows = pool_queries.page_entries(session, flt, sort=sort, offset=(page - 1) * per_page, limit=per_page)
    present = {policy for policy, _ in counts}
    by_policy = [{"policy": p, **{v: counts.get((p, v), 0) for v in POOL_VERDICTS}} for p in POLICY_IDS if p in present]
    evaluated, enterprises = pool_queries.evaluated_on(session, flt.as_of)
    return {
        "policy": flt.policy,
        "as_of": flt.as_of.isoformat(),
        "evaluated": evaluated,
        "enterprises": enterprises,
        "complete": evaluated >= enterprises,
        "total": total,
        "by_verdict": by_verdict,
        "by_policy": by_policy,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "sort": sort,
        "items": [show_entry(*row) for row in rows],
    }


def ladder_by_city(*, session: Session, flt: PoolFilter, lang: str = "zh") -> dict[str, Any]:
    """Eligible enterprises per policy per city (region code's first 4 digits), with city names as a page in `lang`
    shows them (大连市, Dalian)."""
    counts = pool_queries.eligible_by_city(session, flt)
    cities = sorted({city or "—" for _, city in counts})
    table = {c: dict.fromkeys(POLICY_IDS, 0) for c in cities}
    for (policy, city), n in counts.items():
        table[city or "—"][policy] = n
    names = region_names(session, [c + "00" for c in cities] + cities)
    return {
        "cities": [{"code": c, "name": region_name(c, _name_of(names, c) or c, lang)} for c in cities],
        "counts": table,
    }


def city_labels(session: Session, codes: list[str], lang: str) -> dict[str, str]:
    """Each enterprise's region code → its city as the pools' rows show it (大连市 (2102) / Dalian (2102), a
    district read as its city, `metrics.city_of`; the code itself when it names no known city)."""
    keys = {code: city_of(code) or code for code in codes}
    names = region_names(session, [c for key in keys.values() for c in (key, key.ljust(6, "0"))])
    shown = {}
    for code, key in keys.items():
        name = _name_of(names, key)
        shown[code] = f"{region_name(key, name, lang)} ({key})" if name else code
    return shown


def _name_of(names: dict[str, str], code: str) -> str | None:
    """A region's stored name, under its short code or the 6-digit one (2102 or 210200)."""
    return names.get(code.ljust(6, "0")) or names.get(code)


def _detail_text(detail: dict[str, Any]) -> str:
    if "failing_criterion" in detail:
        return str(detail["failing_criterion"])
    return ",".join(detail.get("missing_facts") or detail.get("unknown_criteria") or detail.get("failing_criteria", []))


def write_pools_xlsx(*, session: Session, flt: PoolFilter, path: Path, sort: str = "closeness") -> int:
    """The filtered pools as one XLSX sheet written row by row as they stream (`pool_sheet`); returns the row
    count."""
    _check_page(sort, 1, 1)
    rows = (
        (*row[:8], round(row[8], 4), _detail_text(row[9])) for row in pool_queries.stream_rows(session, flt, sort=sort)
    )
    header = (*EXPORT_HEADER, *EXPORT_TAIL)
    return write_sheet(path, f"pools-{flt.as_of.isoformat()}", itertools.chain([header], rows)) - 1
