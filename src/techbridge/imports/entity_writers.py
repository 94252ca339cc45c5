"""Write validated spreadsheet records of each entity type (organizations go through entity resolution)."""

from __future__ import annotations

from typing import Any

from techbridge.imports import carriers
from techbridge.imports.context import ImportContext
from techbridge.imports.organizations import OrgCandidate, OrgWriter
from techbridge.imports.records import DEMAND_COLUMNS, EXPERT_COLUMNS, achievement_row, complete_row
from techbridge.imports.writer import ensure_nodes, replace_owners, upsert_edges, upsert_records
from techbridge.models import Achievement, Demand, Expert

Records = list[tuple[int, dict[str, Any]]]


def write(ctx: ImportContext, entity: str, records: Records, *, dataset: str, source_file: str) -> None:
    """Dispatch to the writer of `entity`."""
    writers = {
        "achievement": _achievements,
        "organization": _organizations,
        "expert": _experts,
        "demand": _demands,
        "chain_edge": _chain_edges,
    }
    writers[entity](ctx, records, dataset, source_file)


def _achievements(ctx: ImportContext, records: Records, dataset: str, source_file: str) -> None:
    fields = [k for k in records[0][1] if k not in ("owner", "source_key")] if records else []
    rows = [achievement_row(r["source_key"], source_file, **{k: r[k] for k in fields}) for _n, r in records]
    ids = upsert_records(ctx.session, Achievement, rows, dataset=dataset, summary=ctx.summary, label="achievement")
    owners = [(ids[r["source_key"]], r["owner"]) for _n, r in records if r.get("owner")]
    mine = [ids[r["source_key"]] for _n, r in records]
    replace_owners(ctx.session, owners, achievement_ids=mine, summary=ctx.summary)


def _organizations(ctx: ImportContext, records: Records, dataset: str, source_file: str) -> None:
    candidates, extras = [], {}
    for _n, record in records:
        columns, extras[record["source_key"]] = carriers.split_extras(record)
        fields = {
            k: v for k, v in columns.items() if k not in ("source_key", "name", "aliases") and v not in (None, [])
        }
        if fields.get("region_code"):
            fields["province_code"] = str(fields["region_code"])[:2]
        candidates.append(OrgCandidate(record["source_key"], record["name"], fields, list(record.get("aliases") or [])))
    writer = OrgWriter(ctx.session, ctx.regions())
    ids = writer.write(candidates, dataset=dataset, source_file=source_file, summary=ctx.summary)
    carriers.write_capacities(ctx.session, {ids[k]: e for k, e in extras.items()}, summary=ctx.summary)


def _experts(ctx: ImportContext, records: Records, dataset: str, source_file: str) -> None:
    rows = [complete_row(EXPERT_COLUMNS, r["source_key"], source_file, r) for _n, r in records]
    upsert_records(ctx.session, Expert, rows, dataset=dataset, summary=ctx.summary, label="expert")


def _demands(ctx: ImportContext, records: Records, dataset: str, source_file: str) -> None:
    rows = [
        complete_row(DEMAND_COLUMNS, r["source_key"], source_file, {**r, "enterprise_id": r.get("enterprise")})
        for _n, r in records
    ]
    upsert_records(ctx.session, Demand, rows, dataset=dataset, summary=ctx.summary, label="demand")


def _chain_edges(ctx: ImportContext, records: Records, dataset: str, source_file: str) -> None:
    del source_file
    by_kind: dict[str, set[str]] = {}
    for _n, r in records:
        by_kind.setdefault(r.get("kind") or "product", set()).update((r["src"], r["dst"]))
    ids = {
        kind: ensure_nodes(ctx.session, kind, dict.fromkeys(names, (None, None)), dataset=dataset, summary=ctx.summary)
        for kind, names in by_kind.items()
    }
    edges = []
    for _n, r in records:
        nodes = ids[r.get("kind") or "product"]
        edges.append((nodes[r["src"]], nodes[r["dst"]], r["relation"], float(r.get("weight") or 1.0), None))
    upsert_edges(ctx.session, edges, dataset=dataset, summary=ctx.summary)
