"""`techbridge demands …` and `techbridge achievements …`: create, update and show one registry record, over the
service functions the portal and the JSON API call (`registry.service`), so every rule is theirs.

Commands act as the system administrator unless `--as USERNAME` names a user, who then has exactly that user's
portal permissions: they change only their own records, and a record they may not read answers as a missing id.
`--region` takes a code or a name (大连, Dalian) and `--owner` an organization's name, 统一社会信用代码,
「name [#id]」 or id, resolved by the portal's pickers. There is no delete: the registry service offers none (nor do
the portal and the API); `demands close` closes a demand and `--visibility owner` hides an achievement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.cli.context import AS_OPTION, acting_viewer, cli_lang, print_json, settings_of
from techbridge.db import session_scope
from techbridge.i18n.loader import translate
from techbridge.models import Achievement, Demand, DemandStatus
from techbridge.registry import queries, service
from techbridge.registry.detail_queries import achievement_read, demand_reads, owners_of, visible_organization
from techbridge.registry.pickers import region_display, resolve_id, resolve_pick, resolve_region
from techbridge.registry.schemas import (
    AchievementCreate,
    AchievementUpdate,
    DemandCreate,
    DemandUpdate,
    invalid_input,
)

demands_app = typer.Typer(help="Technology demands (技术需求): create, update, close, show.", no_args_is_help=True)
achievements_app = typer.Typer(help="Technology achievements (科技成果): create, update, show.", no_args_is_help=True)

OPTION_NAMES = {
    "title": "--title",
    "description": "--description",
    "abstract": "--abstract",
    "kind": "--kind",
    "keywords": "--keyword",
    "ipc_codes": "--ipc",
    "field_tags": "--field",
    "trl": "--trl",
    "year": "--year",
    "transfer_modes": "--transfer-mode",
    "price": "--price",
    "budget": "--budget",
    "deadline": "--deadline",
    "region_code": "--region",
    "enterprise_id": "--owner",
    "organization_id": "--owner",
    "visibility": "--visibility",
    "status": "--status",
}
"""Schema field → the option it comes from, so an error names what the user typed."""
EMPTY_IS_NONE = frozenset({"budget", "deadline", "trl", "year", "price"})
"""Fields an empty option clears on `update` (as an explicit null does in the API's PATCH)."""
OWNER_KINDS = {"demand": "enterprise", "achievement": "organization"}
"""The picker an owner is named in (as the portal's forms pick them); the service checks the kind again."""
CREDIT_CODE_LENGTH = 18

JSON_OPTION = typer.Option(False, "--json", help="print the record as the JSON API answers it")
TITLE = typer.Option(None, "--title")
DESCRIPTION = typer.Option(None, "--description", help="what the enterprise needs")
ABSTRACT = typer.Option(None, "--abstract")
KIND = typer.Option(None, "--kind", help="patent | paper | technology | software | variety | standard")
KEYWORD = typer.Option(None, "--keyword", help="a keyword (repeatable, or several separated by commas)")
IPC = typer.Option(None, "--ipc", help="an IPC code (repeatable)")
FIELD = typer.Option(None, "--field", help="a field tag (repeatable); update: replaces them, '' clears them")
TRL = typer.Option(None, "--trl", help="技术就绪度 1–9 (GB/T 22900-2022)")
YEAR = typer.Option(None, "--year")
TRANSFER_MODE = typer.Option(None, "--transfer-mode", help="transfer | license | equity | co_development")
PRICE = typer.Option(None, "--price", help="万元")
BUDGET = typer.Option(None, "--budget", help="万元")
DEADLINE = typer.Option(None, "--deadline", help="YYYY-MM-DD")
REGION = typer.Option(None, "--region", help="a region code or name (2102, 大连, Dalian); default: the owner's")
OWNER = typer.Option(
    None, "--owner", help="owner organization: name, credit code or id (officers; others: their own by default)"
)
VISIBILITY = typer.Option(None, "--visibility", help="public | registered | owner")
STATUS = typer.Option(None, "--status", help="open | matched | closed")


def _given(options: dict[str, Any], *, clearing: bool) -> dict[str, Any]:
    """The options the user gave as the schema takes them: repeated values joined (the schema splits them as it
    splits a form's), and on update an empty value for a field that may be empty clears it."""
    data: dict[str, Any] = {}
    for name, value in options.items():
        if value is None or (isinstance(value, list) and not value):
            continue
        if isinstance(value, list):
            value = ",".join(value)
        data[name] = None if clearing and value == "" and name in EMPTY_IS_NONE else value
    return data


def _resolved(session: Session, viewer: Viewer, entity: str, data: dict[str, Any]) -> dict[str, Any]:
    """Names made ids by the portal's pickers: the region (empty: none) and the owner organization."""
    if "region_code" in data:
        text = data["region_code"]
        data["region_code"] = resolve_region(session, text, "--region") if text.strip() else None
    for field in ("enterprise_id", "organization_id"):
        if field in data:
            data[field] = _owner(session, viewer, OWNER_KINDS[entity], data[field].strip())
    return data


def _owner(session: Session, viewer: Viewer, kind: str, text: str) -> int:
    if text.isdigit() and len(text) < CREDIT_CODE_LENGTH:  # an id; a name or credit code goes to the picker
        return resolve_id(session, viewer, kind, int(text), "--owner")
    return resolve_pick(session, viewer, kind, text, "--owner")


def _validated(schema: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc, OPTION_NAMES) from exc


Write = Callable[[Session, Viewer, dict[str, Any]], Any]
Shown = tuple[dict[str, Any], list[str]]
"""A record as JSON and as the lines `show` prints."""


def _run(ctx: typer.Context, as_user: str | None, entity: str, write: Write, options: dict[str, Any]) -> Shown:
    """Resolve the options' names, call the service (it validates and checks) in one transaction: all of it is
    written, or nothing."""
    with session_scope(settings_of(ctx).database_url) as session:
        viewer = acting_viewer(session, as_user)
        data = _resolved(session, viewer, entity, options)
        record = write(session, viewer, data)
        return _read(session, viewer, record), _lines(session, viewer, record, cli_lang())


def _echo(done: str, entity: str, result: Shown, as_json: bool) -> None:
    """The record as JSON, or a line saying what was done (none for `show`) and the record in the user's language."""
    payload, lines = result
    if as_json:
        print_json(payload)
        return
    if done:  # the line saying what was done stands for the heading
        lines = [translate(f"registry.cli.{done}.{entity}", cli_lang(), id=payload["id"]), *lines[1:]]
    for line in lines:
        typer.echo(line)


def _read(session: Session, viewer: Viewer, record: Demand | Achievement) -> dict[str, Any]:
    if isinstance(record, Demand):
        return demand_reads(session, viewer, [record])[0].model_dump(mode="json")
    return achievement_read(session, viewer, record).model_dump(mode="json")


def _lines(session: Session, viewer: Viewer, record: Demand | Achievement, lang: str) -> list[str]:
    """The record as `show` prints it: a heading, then one line per field that has a value, labelled in `lang`."""
    entity = "demand" if isinstance(record, Demand) else "achievement"
    rows: list[tuple[str, Any]] = [("registry.field.title", record.title)]
    if isinstance(record, Demand):
        org = visible_organization(session, viewer, record.enterprise_id)
        rows += [
            ("registry.field.status", translate(f"registry.status.{record.status}", lang)),
            ("registry.field.enterprise_id", org.name if org else None),
            ("registry.col.budget", record.budget),
            ("registry.field.deadline", record.deadline),
        ]
    else:
        rows += [
            ("registry.field.kind", translate(f"registry.kind.{record.kind}", lang)),
            ("registry.owners", "、".join(o.name for o in owners_of(session, viewer, record.id))),
            ("registry.field.trl", record.trl),
            ("registry.field.year", record.year),
            ("registry.field.keywords", "、".join(record.keywords or [])),
            ("registry.field.ipc_codes", "、".join(record.ipc_codes or [])),
            ("registry.field.transfer_modes", _labels("registry.transfer", record.transfer_modes, lang)),
            ("registry.col.price", record.price),
        ]
    rows += [
        ("registry.field.region_code", region_display(session, record.region_code, lang) if record.region_code else ""),
        ("registry.field.field_tags", "、".join(record.field_tags or [])),
        ("registry.field.visibility", translate(f"visibility.{record.visibility}", lang)),
        ("registry.field.description" if entity == "demand" else "registry.field.abstract", _text_of(record)),
    ]
    heading = f"{translate(f'registry.cli.{entity}', lang)} #{record.id}"
    return [heading, *(f"  {translate(key, lang)}: {value}" for key, value in rows if value not in (None, ""))]


def _labels(prefix: str, values: list[str] | None, lang: str) -> str:
    return "、".join(translate(f"{prefix}.{value}", lang) for value in values or [])


def _text_of(record: Demand | Achievement) -> str:
    return record.description if isinstance(record, Demand) else record.abstract


@demands_app.command("create")
def create_demand(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title"),
    description: str | None = DESCRIPTION,
    field: list[str] | None = FIELD,
    budget: str | None = BUDGET,
    deadline: str | None = DEADLINE,
    region: str | None = REGION,
    owner: str | None = OWNER,
    visibility: str | None = VISIBILITY,
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Publish a demand, issued by the acting user's enterprise (or the one `--owner` names, for officers)."""
    options = {"title": title, "description": description, "field_tags": field, "budget": budget}
    options |= {"deadline": deadline, "region_code": region, "enterprise_id": owner, "visibility": visibility}

    def write(session: Session, viewer: Viewer, data: dict[str, Any]) -> Demand:
        return service.create_demand(session=session, viewer=viewer, data=_validated(DemandCreate, data))

    _echo("created", "demand", _run(ctx, as_user, "demand", write, _given(options, clearing=False)), as_json)


@demands_app.command("update")
def update_demand(
    ctx: typer.Context,
    demand_id: int = typer.Argument(..., help="the demand's id"),
    title: str | None = TITLE,
    description: str | None = DESCRIPTION,
    field: list[str] | None = FIELD,
    budget: str | None = BUDGET,
    deadline: str | None = DEADLINE,
    region: str | None = REGION,
    status: str | None = STATUS,
    visibility: str | None = VISIBILITY,
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Change the fields given (an empty --budget, --deadline or --region clears it); owners only, and officers."""
    options = {"title": title, "description": description, "field_tags": field, "budget": budget}
    options |= {"deadline": deadline, "region_code": region, "status": status, "visibility": visibility}
    _update_demand(ctx, demand_id, _given(options, clearing=True), as_user, as_json)


@demands_app.command("close")
def close_demand(
    ctx: typer.Context,
    demand_id: int = typer.Argument(..., help="the demand's id"),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Close a demand (status closed: it stays on record but no longer collects offers); `update --status open`
    reopens it."""
    _update_demand(ctx, demand_id, {"status": DemandStatus.CLOSED}, as_user, as_json)


def _update_demand(
    ctx: typer.Context, demand_id: int, options: dict[str, Any], as_user: str | None, json: bool
) -> None:
    def write(session: Session, viewer: Viewer, data: dict[str, Any]) -> Demand:
        changes = _validated(DemandUpdate, data)
        return service.update_demand(session=session, viewer=viewer, demand_id=demand_id, data=changes)

    _echo("updated", "demand", _run(ctx, as_user, "demand", write, options), json)


@demands_app.command("show")
def show_demand(
    ctx: typer.Context,
    demand_id: int = typer.Argument(..., help="the demand's id"),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """One demand, as the acting user may see it (`GET /api/demands/{id}`)."""

    def read(session: Session, viewer: Viewer, _data: dict[str, Any]) -> Demand:
        return queries.get_visible(session, viewer, Demand, demand_id)  # type: ignore[no-any-return]

    _echo("", "demand", _run(ctx, as_user, "demand", read, {}), as_json)


@achievements_app.command("create")
def create_achievement(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title"),
    abstract: str | None = ABSTRACT,
    kind: str | None = KIND,
    keyword: list[str] | None = KEYWORD,
    ipc: list[str] | None = IPC,
    field: list[str] | None = FIELD,
    trl: str | None = TRL,
    year: str | None = YEAR,
    transfer_mode: list[str] | None = TRANSFER_MODE,
    price: str | None = PRICE,
    region: str | None = REGION,
    owner: str | None = OWNER,
    visibility: str | None = VISIBILITY,
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Register an achievement, held by the acting user's organization (or the one `--owner` names, for officers)."""
    options = {"title": title, "abstract": abstract, "kind": kind, "keywords": keyword, "ipc_codes": ipc}
    options |= {"field_tags": field, "trl": trl, "year": year, "transfer_modes": transfer_mode, "price": price}
    options |= {"region_code": region, "organization_id": owner, "visibility": visibility}

    def write(session: Session, viewer: Viewer, data: dict[str, Any]) -> Achievement:
        return service.create_achievement(session=session, viewer=viewer, data=_validated(AchievementCreate, data))

    _echo("created", "achievement", _run(ctx, as_user, "achievement", write, _given(options, clearing=False)), as_json)


@achievements_app.command("update")
def update_achievement(
    ctx: typer.Context,
    achievement_id: int = typer.Argument(..., help="the achievement's id"),
    title: str | None = TITLE,
    abstract: str | None = ABSTRACT,
    kind: str | None = KIND,
    keyword: list[str] | None = KEYWORD,
    ipc: list[str] | None = IPC,
    field: list[str] | None = FIELD,
    trl: str | None = TRL,
    year: str | None = YEAR,
    transfer_mode: list[str] | None = TRANSFER_MODE,
    price: str | None = PRICE,
    region: str | None = REGION,
    visibility: str | None = VISIBILITY,
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Change the fields given (an empty --trl, --year, --price or --region clears it); owners only, and officers."""
    options = {"title": title, "abstract": abstract, "kind": kind, "keywords": keyword, "ipc_codes": ipc}
    options |= {"field_tags": field, "trl": trl, "year": year, "transfer_modes": transfer_mode, "price": price}
    options |= {"region_code": region, "visibility": visibility}

    def write(session: Session, viewer: Viewer, data: dict[str, Any]) -> Achievement:
        changes = _validated(AchievementUpdate, data)
        return service.update_achievement(session=session, viewer=viewer, achievement_id=achievement_id, data=changes)

    _echo("updated", "achievement", _run(ctx, as_user, "achievement", write, _given(options, clearing=True)), as_json)


@achievements_app.command("show")
def show_achievement(
    ctx: typer.Context,
    achievement_id: int = typer.Argument(..., help="the achievement's id"),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """One achievement with its visible owners, as the acting user may see it (`GET /api/achievements/{id}`)."""

    def read(session: Session, viewer: Viewer, _data: dict[str, Any]) -> Achievement:
        return queries.get_visible(session, viewer, Achievement, achievement_id)  # type: ignore[no-any-return]

    _echo("", "achievement", _run(ctx, as_user, "achievement", read, {}), as_json)
