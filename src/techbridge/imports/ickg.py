"""ICKG25 temporal industrial-chain KG (named quadruples head, relation, tail, date).

Entities carry no type, so types come from the relations: tails of 涉足行业/归属于行业 and both ends of 上游于/包含 are
industries (chain nodes); heads of 持有专利 are organizations, and so are other entities in company relations whose
names read as organizations (…公司, …集团, …研究院). Other entities (brands, products, topics) are skipped and
counted. Each 持有专利 tail (one ICKG entity per distinct title) becomes one patent achievement owned by every
holder. 供给 (supplies) is mostly company → company; its ends are kept as chain nodes (industry when known as one,
else product) so the dated edge is not lost."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from techbridge.imports.context import ImportContext
from techbridge.imports.organizations import OrgCandidate, OrgWriter
from techbridge.imports.readers import decode_bytes
from techbridge.imports.records import achievement_row, stable_key
from techbridge.imports.schemas import Reason
from techbridge.imports.writer import (
    ensure_nodes,
    replace_owners,
    upsert_edges,
    upsert_enterprise_nodes,
    upsert_records,
)
from techbridge.models import Achievement
from techbridge.registry.resolve import is_organization_name, organization_kind

DATASET = "ickg"
INDUSTRY_LINKS = ("涉足行业", "归属于行业")
CHAIN_RELATIONS = ("上游于", "包含", "供给")
COMPANY_RELATIONS = ("合作", "投资", "并购", "母公司/控股", "竞争", "合资", "基于专利生产")


@dataclass
class Facts:
    """The quadruples of the file, grouped by what they become."""

    rows: list[tuple[int, str, str, str, date | None]] = field(default_factory=list)
    industries: set[str] = field(default_factory=set)
    companies: set[str] = field(default_factory=set)


def run(ctx: ImportContext, path: Path) -> None:
    """Import a named-quadruple TSV (split, head, relation, tail, date)."""
    facts = _read(ctx, path)
    orgs = _organizations(ctx, path, facts)
    industry_ids = ensure_nodes(
        ctx.session, "industry", dict.fromkeys(facts.industries, (None, None)), dataset=DATASET, summary=ctx.summary
    )
    _industry_links(ctx, facts, orgs, industry_ids)
    _chain_edges(ctx, facts, industry_ids)
    _patents(ctx, path, facts, orgs)


def _read(ctx: ImportContext, path: Path) -> Facts:
    facts = Facts()
    text = decode_bytes(path.read_bytes(), path.name)
    reader = csv.reader(text.splitlines(), delimiter="\t")
    next(reader, None)
    for number, parts in enumerate(reader, start=2):
        if len(parts) != 5 or not parts[1].strip() or not parts[3].strip():
            ctx.reject(path, number, "head/tail", Reason.MISSING_REQUIRED)
            continue
        _split, head, relation, tail, when = (p.strip() for p in parts)
        observed = _date(when)
        if when and observed is None:
            ctx.reject(path, number, "date", Reason.WRONG_TYPE, when)
        facts.rows.append((number, head, relation, tail, observed))
        if relation in INDUSTRY_LINKS:
            facts.industries.add(tail)
        elif relation in ("上游于", "包含"):
            facts.industries.update((head, tail))
    for _number, head, relation, tail, _when in facts.rows:
        if relation == "持有专利":
            facts.companies.add(head)
        elif relation in INDUSTRY_LINKS or relation in COMPANY_RELATIONS or relation == "供给":
            facts.companies.update(n for n in (head, tail) if is_organization_name(n) and n not in facts.industries)
    return facts


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _organizations(ctx: ImportContext, path: Path, facts: Facts) -> dict[str, int]:
    candidates = [
        OrgCandidate(name, name, {"kind": organization_kind(name)})
        for name in sorted(facts.companies)
        if len(name) <= 255
    ]
    writer = OrgWriter(ctx.session, ctx.regions())
    ids = writer.write(candidates, dataset=DATASET, source_file=ctx.source_file(path), summary=ctx.summary)
    ctx.summary.add("company", len(ids))
    return ids


def _industry_links(ctx: ImportContext, facts: Facts, orgs: dict[str, int], industries: dict[str, int]) -> None:
    links = [
        (orgs[head], industries[tail], relation, None, str(when or ""))
        for _n, head, relation, tail, when in facts.rows
        if relation in INDUSTRY_LINKS and head in orgs and tail in industries
    ]
    ctx.summary.add("skipped_entity_links", sum(1 for r in facts.rows if r[2] in INDUSTRY_LINKS and r[1] not in orgs))
    upsert_enterprise_nodes(ctx.session, links, dataset=DATASET, summary=ctx.summary)


def _chain_edges(ctx: ImportContext, facts: Facts, industries: dict[str, int]) -> None:
    supply_ends = {n for _i, h, r, t, _w in facts.rows if r == "供给" for n in (h, t) if n not in industries}
    others = ensure_nodes(
        ctx.session, "product", dict.fromkeys(supply_ends, (None, None)), dataset=DATASET, summary=ctx.summary
    )
    nodes = {**others, **industries}
    earliest: dict[tuple[int, int, str], date | None] = {}
    for _n, head, relation, tail, when in facts.rows:
        if relation in CHAIN_RELATIONS and head != tail:
            key = (nodes[head], nodes[tail], relation)
            prior = earliest.get(key)
            earliest[key] = when if prior is None or (when is not None and when < prior) else prior
    edges = [(s, d, r, 1.0, when) for (s, d, r), when in earliest.items()]
    upsert_edges(ctx.session, edges, dataset=DATASET, summary=ctx.summary)


def _patents(ctx: ImportContext, path: Path, facts: Facts, orgs: dict[str, int]) -> None:
    holders: dict[str, list[str]] = {}
    for number, head, relation, tail, _when in facts.rows:
        if relation != "持有专利":
            continue
        if head not in orgs:
            ctx.reject(path, number, "head", Reason.UNKNOWN_CODE, head)
            continue
        holders.setdefault(tail, []).append(head)
    source_file = ctx.source_file(path)
    rows = [achievement_row(stable_key(t), source_file, kind="patent", title=t) for t in holders]
    ids = upsert_records(ctx.session, Achievement, rows, dataset=DATASET, summary=ctx.summary, label="achievement")
    owners = [(ids[stable_key(t)], orgs[holder]) for t, names in holders.items() for holder in names]
    keys = [stable_key(t) for t in holders]
    replace_owners(ctx.session, owners, achievement_ids=[ids[k] for k in keys], summary=ctx.summary)
    ctx.summary.add("patent", len(holders))
