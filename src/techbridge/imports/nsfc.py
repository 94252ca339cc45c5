"""NSFC funded projects (国家自然科学基金, management sciences) as experts and research projects.

An expert is one (principal investigator, host institution) pair, as the source defines it; the host institution
is resolved onto the registry's university/institute by name (created when missing, e.g. an old name such as
大连理工学院). Each project is a ResearchProject linked to its expert and institution."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from techbridge.imports import writer
from techbridge.imports.context import ImportContext
from techbridge.imports.organizations import OrgCandidate, OrgWriter
from techbridge.imports.readers import read_csv
from techbridge.imports.records import EXPERT_COLUMNS, complete_row
from techbridge.imports.schemas import Reason
from techbridge.models import Expert, ResearchProject
from techbridge.registry.resolve import organization_kind

DATASET = "nsfc"
PROJECTS_FILE = "derived/nsfc_g_projects.csv"
FUNDER = "国家自然科学基金"
TALENT_PROGRAMMES = ("国家杰出青年科学基金", "优秀青年科学基金")
REQUIRED = ("approval_no", "title", "institution", "pi_name")


@dataclass
class ExpertDraft:
    """What the projects say about one (PI, institution) pair."""

    name: str
    institution: str
    years: list[int] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)


def run(ctx: ImportContext, path: Path) -> None:
    """Import `path`: the nsfc_mgmt_projects folder, or a CSV of the nsfc_g_projects layout."""
    table = path / PROJECTS_FILE if path.is_dir() else path
    projects = _read_projects(ctx, table)
    experts: dict[str, ExpertDraft] = {}
    for project in projects:
        draft = experts.setdefault(project["expert_key"], ExpertDraft(project["pi_name"], project["institution"]))
        draft.titles.append(project["title"])
        draft.types.append(project["project_type"])
        if project["start_year"] is not None:
            draft.years.append(project["start_year"])
    source_file = ctx.source_file(table)
    institutions = _write_institutions(ctx, {d.institution for d in experts.values()}, source_file)
    expert_rows = [_expert_row(key, draft, institutions, source_file) for key, draft in experts.items()]
    expert_ids = writer.upsert_records(
        ctx.session, Expert, expert_rows, dataset=DATASET, summary=ctx.summary, label="expert"
    )
    project_rows = [_project_row(p, expert_ids, institutions, source_file) for p in projects]
    writer.upsert_records(
        ctx.session, ResearchProject, project_rows, dataset=DATASET, summary=ctx.summary, label="project"
    )
    ctx.summary.add("expert", len(expert_rows))
    ctx.summary.add("project", len(project_rows))


def _read_projects(ctx: ImportContext, table: Path) -> list[dict[str, Any]]:
    """Valid, distinct projects of the file; other rows are rejected with their reason."""
    projects: dict[str, dict[str, Any]] = {}
    for number, row in ctx.progress("nsfc").iterate(list(read_csv(table))):
        missing = next((c for c in REQUIRED if not row.get(c, "").strip()), None)
        if missing is not None:
            ctx.reject(table, number, missing, Reason.MISSING_REQUIRED)
            continue
        number_key = row["approval_no"].strip()
        if number_key in projects:
            ctx.reject(table, number, "approval_no", Reason.DUPLICATE_KEY, number_key)
            continue
        parsed = _parse_project(ctx, table, number, row)
        if parsed is not None:
            projects[number_key] = parsed
    return list(projects.values())


def _parse_project(ctx: ImportContext, table: Path, number: int, row: dict[str, str]) -> dict[str, Any] | None:
    try:
        amount = Decimal(row["amount_wan_cny"]) if row.get("amount_wan_cny", "").strip() else None
        start = int(row["start_year"]) if row.get("start_year", "").strip() else None
        end = int(row["end_year"]) if row.get("end_year", "").strip() else None
    except (InvalidOperation, ValueError):
        ctx.reject(table, number, "amount_wan_cny/start_year/end_year", Reason.WRONG_TYPE)
        return None
    if amount is not None and (not amount.is_finite() or amount < 0):
        ctx.reject(table, number, "amount_wan_cny", Reason.WRONG_TYPE, row["amount_wan_cny"])
        return None
    pi, institution = row["pi_name"].strip(), row["institution"].strip()
    return {
        "approval_no": row["approval_no"].strip(),
        "title": row["title"].strip(),
        "project_type": row.get("project_type", "").strip(),
        "amount_wan": amount,
        "start_year": start,
        "end_year": end,
        "evaluation": row.get("evaluation", "").strip(),
        "pi_name": pi,
        "institution": institution,
        "expert_key": f"{pi}|{institution}",
    }


def _write_institutions(ctx: ImportContext, names: set[str], source_file: str) -> dict[str, int]:
    """Host institution name → organization id, resolved onto stored universities/institutes or created (placed
    by a place name it starts with, else by the one city named in it)."""
    regions = ctx.regions()
    normalizer = regions.normalizer()
    candidates = []
    for name in sorted(names):
        kind = organization_kind(name)
        fields: dict[str, Any] = {"kind": "institute" if kind == "enterprise" else kind}
        place = regions.place_of_name(normalizer, name) or regions.city_anywhere(name)
        if place is not None:
            fields.update(province_code=place.province_code, region_code=place.region_code)
        candidates.append(OrgCandidate(source_key=name, name=name, fields=fields))
    ids = OrgWriter(ctx.session, regions).write(
        candidates, dataset=DATASET, source_file=source_file, summary=ctx.summary
    )
    ctx.summary.add("institution", len(ids))
    return ids


def _expert_row(key: str, draft: ExpertDraft, institutions: dict[str, int], source_file: str) -> dict[str, Any]:
    """An experts row: affiliation linked, programme tags from talent grants, a bio saying what the record rests on."""
    years = sorted(draft.years)
    span = "" if not years else str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
    kinds = "、".join(dict.fromkeys(draft.types))
    bio = f"主持{FUNDER}（管理科学部）项目 {len(draft.titles)} 项（{span}）：{kinds}。"
    fields = {
        "name": draft.name[:64],
        "affiliation_id": institutions.get(draft.institution),
        "affiliation_name": draft.institution[:255],
        "programme_tags": [t for t in TALENT_PROGRAMMES if t in draft.types],
        "bio": bio,
    }
    return complete_row(EXPERT_COLUMNS, key, source_file, fields)


def _project_row(
    project: dict[str, Any], experts: dict[str, int], institutions: dict[str, int], source_file: str
) -> dict[str, Any]:
    return {
        "approval_no": project["approval_no"],
        "title": project["title"][:512],
        "funder": FUNDER,
        "project_type": project["project_type"][:64],
        "amount_wan": project["amount_wan"],
        "start_year": project["start_year"],
        "end_year": project["end_year"],
        "evaluation": project["evaluation"][:32],
        "expert_id": experts[project["expert_key"]],
        "institution_id": institutions.get(project["institution"]),
        "institution_name": project["institution"][:255],
        "visibility": "public",
        "owner_id": None,
        "source_key": project["approval_no"],
        "source_file": source_file,
    }
