"""Write organizations from any source with entity resolution: an incoming record that is an existing
organization (same credit code, listing code or unambiguous name, never differing credit codes) is merged into
it — its name becomes an alias and the merge is reported — instead of becoming a duplicate."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from techbridge.imports import queries, writer
from techbridge.imports.regions import RegionLookup
from techbridge.imports.schemas import ImportSummary, Merge, Reason, RowError
from techbridge.models import Organization
from techbridge.registry.resolve import OrgIndex, OrgRecord

ORG_COLUMNS: dict[str, Any] = {
    "kind": "enterprise",
    "carrier_type": None,
    "name": "",
    "normalized_name": "",
    "short_name": None,
    "credit_code": None,
    "region_code": None,
    "province_code": None,
    "industry_codes": [],
    "shenwan_industries": [],
    "founded_on": None,
    "listing_code": None,
    "website": None,
    "address": None,
    "description": "",
    "employees": None,
    "extra": {},
    "visibility": "public",
    "owner_id": None,
}
FILLABLE = ("province_code", "region_code", "listing_code", "credit_code", "short_name")


@dataclass
class OrgCandidate:
    """An organization as a source describes it; `fields` are Organization columns."""

    source_key: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)


class OrgWriter:
    """Resolves candidates against every stored organization and writes them in bulk."""

    def __init__(self, session: Session, regions: RegionLookup) -> None:
        self.session = session
        self.regions = regions
        self.normalizer = regions.normalizer()
        self.index = OrgIndex()
        self.provenance: dict[tuple[str, str], int] = {}
        self._pending_records: dict[int, OrgRecord] = {}
        self._merges: list[Merge] = []
        aliases: dict[int, list[str]] = {}
        for org_id, alias in queries.alias_rows(session):
            aliases.setdefault(org_id, []).append(alias)
        for org_id, name, credit, listing, dataset, key, kind in queries.organization_rows(session):
            record = OrgRecord(org_id, name, self.normalizer.key(name), credit, listing, kind=str(kind))
            record.alias_keys = [self.normalizer.key(a) for a in aliases.get(org_id, [])]
            self.index.add(record)
            if dataset and key:
                self.provenance[(dataset, key)] = org_id

    def write(
        self, candidates: list[OrgCandidate], *, dataset: str, source_file: str, summary: ImportSummary
    ) -> dict[str, int]:
        """Insert, update or merge each candidate; returns source_key → organization id for all of them.

        A candidate without a province gets one (and its city) from a place name its name starts with."""
        for candidate in candidates:
            if not candidate.fields.get("province_code"):
                place = self.regions.place_of_name(self.normalizer, candidate.name)
                if place is not None:
                    candidate.fields.update(province_code=place.province_code, region_code=place.region_code)
        own: list[OrgCandidate] = []
        merged: dict[str, tuple[int, OrgCandidate]] = {}
        pending: dict[int, OrgCandidate] = {}
        for candidate in candidates:
            target = self._target(candidate, dataset, pending, summary)
            if target is None:
                own.append(candidate)
                pending[-len(own)] = candidate
                self._index_pending(-len(own), candidate)
            else:
                merged[candidate.source_key] = (target, candidate)
        ids = self._write_own(own, dataset=dataset, source_file=source_file, summary=summary)
        result = dict(ids)
        for key, (target, _candidate) in merged.items():
            result[key] = ids[pending[target].source_key] if target < 0 else target
        self._fill_and_alias(merged, result, own, summary)
        summary.merges.extend(
            replace(m, organization_id=result[m.source_key]) if m.organization_id < 0 else m for m in self._merges
        )
        self._merges.clear()
        return result

    def _target(
        self, candidate: OrgCandidate, dataset: str, pending: dict[int, OrgCandidate], summary: ImportSummary
    ) -> int | None:
        known = self.provenance.get((dataset, candidate.source_key))
        if known is not None:
            return None  # our own record: updated in place
        key = self.normalizer.key(candidate.name)
        found = self.index.resolve(
            key=key,
            credit_code=candidate.fields.get("credit_code"),
            listing_code=candidate.fields.get("listing_code"),
            kind=candidate.fields.get("kind", "enterprise"),
        )
        if found is None:
            return None
        self.index.claim_codes(
            found.organization_id, candidate.fields.get("credit_code"), candidate.fields.get("listing_code")
        )
        name = pending[found.organization_id].name if found.organization_id < 0 else found.name
        self._merges.append(
            Merge(dataset, candidate.source_key, candidate.name, found.organization_id, name, found.rule)
        )
        return found.organization_id

    def _index_pending(self, temp_id: int, candidate: OrgCandidate) -> None:
        record = OrgRecord(
            temp_id,
            candidate.name,
            self.normalizer.key(candidate.name),
            candidate.fields.get("credit_code"),
            candidate.fields.get("listing_code"),
            [self.normalizer.key(a) for a in candidate.aliases],
            kind=candidate.fields.get("kind", "enterprise"),
        )
        self.index.add(record)
        self._pending_records[temp_id] = record

    def _write_own(
        self, own: list[OrgCandidate], *, dataset: str, source_file: str, summary: ImportSummary
    ) -> dict[str, int]:
        rows = []
        for candidate in own:
            row = {**ORG_COLUMNS, **candidate.fields}
            row.update(
                name=candidate.name[:255],
                normalized_name=self.normalizer.normalize(candidate.name)[:255],
                source_key=candidate.source_key,
                source_file=source_file,
            )
            rows.append(row)
        ids = writer.upsert_records(
            self.session, Organization, rows, dataset=dataset, summary=summary, label="organization"
        )
        for temp, candidate in enumerate(own, start=1):
            real = ids[candidate.source_key]
            record = self._pending_records.pop(-temp)
            record.id = real
            self.index.by_id[real] = record
            self.provenance[(dataset, candidate.source_key)] = real
        return {c.source_key: ids[c.source_key] for c in own}

    def _fill_and_alias(
        self,
        merged: dict[str, tuple[int, OrgCandidate]],
        result: dict[str, int],
        own: list[OrgCandidate],
        summary: ImportSummary,
    ) -> None:
        aliases: list[tuple[int, str, str]] = []
        for candidate in own:
            org_id = result[candidate.source_key]
            aliases += [(org_id, a, self.normalizer.normalize(a)) for a in candidate.aliases if a != candidate.name]
        fills: dict[str, list[dict[str, Any]]] = {}
        for key, (_target, candidate) in merged.items():
            org_id = result[key]
            for alias in (candidate.name, *candidate.aliases):
                aliases.append((org_id, alias, self.normalizer.normalize(alias)))
            for column in FILLABLE:
                if candidate.fields.get(column) is not None:
                    fills.setdefault(column, []).append({"b_id": org_id, "b_value": candidate.fields[column]})
        self._fill(fills)
        writer.add_aliases(self.session, aliases, summary=summary)
        summary.add("organization.merged", len(merged))

    def _fill(self, fills: dict[str, list[dict[str, Any]]]) -> None:
        """Copy merged records' codes and place onto organizations that have none yet (executemany per column)."""
        for column, rows in fills.items():
            stmt = (
                update(Organization)
                .where(Organization.id == bindparam("b_id"), getattr(Organization, column).is_(None))
                .values({column: bindparam("b_value")})
            )
            for batch in writer.chunks(rows):
                self.session.connection().execute(stmt, list(batch))


def check_credit_codes(
    session: Session, records: list[tuple[int, dict[str, Any]]], *, dataset: str, column: str, name: str
) -> list[RowError]:
    """Row errors for rows that update their own stored organization (same file key) with a credit code another
    stored organization holds: one code is one company, and the update would break the unique code."""
    own = queries.existing_keys(session, Organization, dataset)
    codes = {str(r["credit_code"]): str(r["source_key"]) for _n, r in records if r.get("credit_code")}
    holders = queries.credit_code_holders(session, codes)
    errors = []
    for number, record in records:
        code, org_id = record.get("credit_code"), own.get(str(record["source_key"]))
        holder = holders.get(str(code)) if code else None
        if holder is not None and org_id is not None and holder[0] != org_id:
            detail = f"{code} already belongs to {holder[1]} (#{holder[0]})"
            detail_zh = f"统一社会信用代码「{code}」已属于机构「{holder[1]}」（#{holder[0]}），一个代码只对应一家机构"
            errors.append(RowError(name, number, column, Reason.CONFLICT, detail, detail_zh))
    return errors
