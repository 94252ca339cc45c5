"""Pickers: records and regions chosen by name, never by id. `pick_options` feeds the search-as-you-type lists
(visibility applied in SQL); `resolve_pick` turns what a person typed or picked back into an id, or raises an error
naming the field — a title that matches nothing, or several things, is never dropped silently.

An option ends with its key in brackets (「柔轮 [#123]」, 「大连市 [2102]」), so a picked option resolves
exactly; a typed name resolves when it names exactly one visible record (regions also by short name: 辽宁, 大连;
organizations also by 统一社会信用代码)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, false, or_, select, true
from sqlalchemy.orm import Session

from techbridge.access import Viewer, visibility_clause
from techbridge.errors import InvalidDataError
from techbridge.models import Achievement, Demand, Expert, Organization, Region, RegionLevel, Role, User
from techbridge.registry import queries
from techbridge.registry.detail_queries import shown_affiliations
from techbridge.registry.regions import codes_of_english_name, english_codes_like, region_name
from techbridge.registry.resolve import clean_text

PICK_LIMIT = 12
FIELD_SCAN = 500  # records read to gather the field tags containing what was typed
_KEY = re.compile(r"\[#?([0-9A-Za-z]+)\]\s*$")
REGION_SUFFIXES = ("省", "市", "自治区", "特别行政区", "壮族自治区", "回族自治区", "维吾尔自治区")
ORGANIZATION_KINDS = frozenset({"enterprise", "organization"})
PLACEHOLDER_CITIES = ("市辖区", "县", "行政区划")
"""City-level rows that are not cities (北京 市辖区, 重庆 县, 省直辖县级行政区划): a county under one is hinted by its
province."""


@dataclass(frozen=True)
class PickKind:
    """What a picker chooses: the model, the column people know it by, and a few words to tell options apart."""

    model: Any
    name_column: str
    label_zh: str
    label_en: str


KINDS: dict[str, PickKind] = {
    "achievement": PickKind(Achievement, "title", "科技成果", "achievement"),
    "expert": PickKind(Expert, "name", "专家", "expert"),
    "demand": PickKind(Demand, "title", "技术需求", "demand"),
    "enterprise": PickKind(Organization, "name", "企业", "enterprise"),
    "organization": PickKind(Organization, "name", "机构", "organization"),
    "user": PickKind(User, "username", "用户", "user"),
}
"""A user is picked by account or display name, by administrators only (the audit log's actor)."""


@dataclass(frozen=True)
class PickOption:
    """One option: the value submitted (label with key) and a hint shown beside it."""

    key: str
    label: str
    hint: str = ""
    marker: str = "#"

    @property
    def value(self) -> str:
        """What the input holds once the option is picked: the label and the key in brackets (a field: its name)."""
        return f"{self.label} [{self.marker}{self.key}]" if self.key else self.label


def _kind(kind: str) -> PickKind:
    if kind not in KINDS and kind not in ("region", "field"):
        raise InvalidDataError(f"unknown picker {kind!r}", location=("kind",), message_zh=f"未知的选择类型「{kind}」")
    return KINDS[kind]


def _stmt(kind: str, viewer: Viewer) -> Any:
    spec = _kind(kind)
    if kind == "user":
        return select(User).where(true() if viewer.role == Role.ADMIN else false())
    stmt = select(spec.model).where(visibility_clause(spec.model, viewer))
    if kind == "enterprise":
        stmt = stmt.where(Organization.kind == "enterprise")
    return stmt


def _hint(kind: str, record: Any) -> str:
    """What tells two options of the same name apart (an expert's, the affiliation, is `shown_affiliations`)."""
    if kind in ("enterprise", "organization"):
        return str(record.region_code or "")
    if kind == "user":
        return str(record.display_name or "")
    return str(getattr(record, "year", "") or "")


def pick_options(
    session: Session, viewer: Viewer, kind: str, text: str, limit: int = PICK_LIMIT, lang: str = "zh"
) -> list[PickOption]:
    """Options whose name contains what was typed (regions: Chinese or English name, or code; labelled as a page in
    `lang` names them), visible to the viewer."""
    text = _KEY.sub("", text).strip()[:100]
    if not text:
        return []
    if kind == "region":
        return _region_options(session, _regions_like(session, text, limit), lang)
    if kind == "field":
        return [PickOption("", tag) for tag in fields_like(session, viewer, text, limit)]
    spec = _kind(kind)
    column = getattr(spec.model, spec.name_column)
    named = column.contains(text, autoescape=True)
    if kind == "user":
        named = or_(named, User.display_name.contains(text, autoescape=True))
    stmt = _stmt(kind, viewer).where(named).order_by(column).limit(limit)
    records = list(session.scalars(stmt))
    affiliations = shown_affiliations(session, viewer, records) if kind == "expert" else {}
    return [
        PickOption(
            str(r.id),
            str(getattr(r, spec.name_column)),
            affiliations[r.id].name if kind == "expert" else _hint(kind, r),
        )
        for r in records
    ]


def _region_options(session: Session, regions: list[Region], lang: str) -> list[PickOption]:
    """Region options named in `lang`, a county's hinted by its city (by its province under 市辖区 and the like), so
    two districts of one name (和平区, Heping District) tell apart."""
    counties = [r for r in regions if r.level == RegionLevel.COUNTY]
    names = queries.region_names(session, {c for r in counties for c in (r.parent_code, r.code[:2])})

    def hint(region: Region) -> str:
        if region.level != RegionLevel.COUNTY:
            return ""
        city = names.get(region.parent_code or "")
        code = str(region.parent_code) if city and not city.endswith(PLACEHOLDER_CITIES) else region.code[:2]
        return region_name(code, names[code], lang) if code in names else ""

    return [PickOption(r.code, region_name(r.code, r.name, lang), hint(r), marker="") for r in regions]


def _regions_like(session: Session, text: str, limit: int) -> list[Region]:
    english = english_codes_like(text)[:limit] if text.isascii() and not text.isdigit() else []
    stmt = (
        select(Region)
        .where(
            or_(
                Region.name.contains(text, autoescape=True),
                Region.code.startswith(text, autoescape=True),
                Region.code.in_(english),
            )
        )
        .order_by(Region.level, Region.code)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def resolve_pick(session: Session, viewer: Viewer, kind: str, text: str, field: str) -> int:
    """The id of the one visible record the input names; InvalidDataError naming `field` otherwise."""
    text = text.strip()
    spec = _kind(kind)
    key = _KEY.search(text)
    if key and key.group(1).isdigit():
        record = session.scalars(_stmt(kind, viewer).where(spec.model.id == int(key.group(1)))).first()
        if record is not None:
            return int(record.id)
        raise _not_found(kind, text, field)
    column = getattr(spec.model, spec.name_column)
    found = list(session.scalars(_stmt(kind, viewer).where(column == text).limit(2)))
    if not found and kind in ORGANIZATION_KINDS:  # or its 统一社会信用代码, as stored (upper-case, half-width)
        code = clean_text(text).upper()
        found = list(session.scalars(_stmt(kind, viewer).where(Organization.credit_code == code).limit(2)))
    if not found and kind == "user":
        found = list(session.scalars(_stmt(kind, viewer).where(User.display_name == text).limit(2)))
    if len(found) == 1:
        return int(found[0].id)
    if not found:
        raise _not_found(kind, text, field)
    raise InvalidDataError(
        f"{text!r} names several {spec.label_en}s; pick one from the list",
        location=(field,),
        message_zh=f"「{text}」对应多条{spec.label_zh}，请从列表中选择一条",
    )


def resolve_id(session: Session, viewer: Viewer, kind: str, record_id: int, field: str) -> int:
    """`record_id` when it names a record of `kind` the viewer may see (API bodies give ids where forms give names);
    InvalidDataError naming `field` otherwise, the same for a missing and a hidden record."""
    spec = _kind(kind)
    if session.scalars(_stmt(kind, viewer).where(spec.model.id == record_id)).first() is not None:
        return record_id
    raise InvalidDataError(
        f"{spec.label_en} {record_id} does not exist or is not visible to you",
        location=(field,),
        message_zh=f"{spec.label_zh} {record_id} 不存在或无权查看",
    )


def pick_label(session: Session, viewer: Viewer, kind: str, record_id: int) -> str | None:
    """What a picker holds once record `record_id` is picked (「柔轮 [#123]」), None when the viewer may not see it."""
    spec = _kind(kind)
    record = session.scalars(_stmt(kind, viewer).where(spec.model.id == record_id)).first()
    return None if record is None else PickOption(str(record.id), str(getattr(record, spec.name_column))).value


def _not_found(kind: str, text: str, field: str) -> InvalidDataError:
    spec = KINDS[kind]
    return InvalidDataError(
        f"no {spec.label_en} called {text!r} that you may see; pick one from the list",
        location=(field,),
        message_zh=f"未找到名为「{text}」的{spec.label_zh}（或无权查看），请从列表中选择",
    )


def resolve_region(session: Session, text: str, field: str) -> str:
    """A region code from a code, a full name (大连市) or a short one (大连, 辽宁), or an English name (Dalian,
    Heping District, any case; 「Heping District, Shenyang」 where several cities have one); picked options resolve
    exactly."""
    text = text.strip()
    key = _KEY.search(text)
    if key:
        text = key.group(1)
    if text.isdigit():
        if session.get(Region, text) is not None:
            return text
        raise _no_region(text, field)
    english = codes_of_english_name(text)
    if english:
        return _one_stored(session, text, english, field)
    names = {text, *(text + suffix for suffix in REGION_SUFFIXES)}
    rows = list(session.scalars(select(Region).where(Region.name.in_(names)).order_by(Region.level).limit(3)))
    levels = {r.level for r in rows}
    if rows and (len(rows) == 1 or len(levels) == len(rows)):
        return str(rows[0].code)
    if len(rows) > 1:
        raise _several_regions(text, [str(r.code) for r in rows], field)
    raise _no_region(text, field)


def _one_stored(session: Session, text: str, codes: tuple[str, ...], field: str) -> str:
    """The one stored region of the codes an English name stands for; an error naming `field` when none or several
    are stored."""
    stored = sorted(session.scalars(select(Region.code).where(Region.code.in_(codes))), key=codes.index)
    if len(stored) == 1:
        return str(stored[0])
    if stored:
        raise _several_regions(text, stored, field)
    raise _no_region(text, field)


def _several_regions(text: str, codes: list[str], field: str) -> InvalidDataError:
    shown = ", ".join(codes[:5])
    return InvalidDataError(
        f"{text!r} names several regions ({shown}); pick one from the list or add its city (Heping District, Shenyang)",
        location=(field,),
        message_zh=f"「{text}」对应多个地区（{shown}），请从列表中选择",
    )


def _no_region(text: str, field: str) -> InvalidDataError:
    return InvalidDataError(
        f"no region {text!r}; type a province, city or county name such as Liaoning, Dalian or Shenhe District",
        location=(field,),
        message_zh=f"未找到地区「{text}」，请输入省、市或县区的名称，如 辽宁、大连、沈河区",
    )


def region_label(session: Session, code: str | None, lang: str = "zh") -> str:
    """「大连市 [2102]」 (English pages: 「Dalian [2102]」) for a code, as a picker holds it once picked (the code
    alone when unknown, empty for none)."""
    if not code:
        return ""
    region = session.get(Region, code)
    return f"{region_name(code, region.name, lang)} [{code}]" if region is not None else code


def region_display(session: Session, code: str, lang: str = "zh") -> str:
    """「大连市 (2102)」 (English pages: 「Dalian (2102)」): a region code shown with its name, as every page shows
    codes (the code alone when unknown)."""
    region = session.get(Region, code)
    return f"{region_name(code, region.name, lang)} ({code})" if region is not None else code


def region_displays(session: Session, codes: Iterable[str], lang: str = "zh") -> dict[str, str]:
    """`region_display` of several codes in one query: code → 「大连市 (2102)」 / 「Dalian (2102)」 (unknown codes
    left out, so a caller shows them as they are)."""
    names = queries.region_names(session, codes)
    return {code: f"{region_name(code, name, lang)} ({code})" for code, name in names.items()}


def visible_title(session: Session, viewer: Viewer, achievement_id: int | None) -> str | None:
    """An achievement's title when the viewer may see it (None otherwise), to show a name instead of an id."""
    if achievement_id is None:
        return None
    stmt = select(Achievement.title).where(Achievement.id == achievement_id, visibility_clause(Achievement, viewer))
    return session.scalar(stmt)


def _tag_columns() -> tuple[tuple[Any, Any], ...]:
    return ((Achievement, Achievement.field_tags), (Expert, Expert.fields))


def fields_like(session: Session, viewer: Viewer, text: str, limit: int = PICK_LIMIT) -> list[str]:
    """Field tags of visible achievements and experts containing `text` (the JSON columns hold escaped text, so the
    SQL prefilter looks for the escaped form; the tags are then read exactly)."""
    escaped = json.dumps(text)[1:-1]
    found: set[str] = set()
    for model, column in _tag_columns():
        stmt = (
            select(column)
            .where(visibility_clause(model, viewer), cast(column, String).contains(escaped, autoescape=True))
            .limit(FIELD_SCAN)
        )
        found.update(tag for tags in session.scalars(stmt) for tag in tags or () if text in tag)
    return sorted(found, key=lambda tag: (len(tag), tag))[:limit]


def resolve_field(session: Session, viewer: Viewer, text: str, field: str) -> str:
    """The field tag typed or picked when some visible achievement or expert carries it exactly; else an error."""
    tag = text.strip()
    if tag and tag in fields_like(session, viewer, tag, limit=FIELD_SCAN):
        return tag
    raise InvalidDataError(
        f"no field called {tag!r}; pick one from the list",
        location=(field,),
        message_zh=f"没有名为「{tag}」的领域，请从列表中选择",
    )
