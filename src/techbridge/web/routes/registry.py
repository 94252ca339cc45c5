"""Portal pages: registry lists (filters, sorting, pagination, keyword box), detail pages and create forms.

Lists return only `registry/_table.html` for HTMX requests. Forms use POST-redirect-GET; an invalid form is
re-rendered with 422 and per-field messages in the interface language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.config import Settings
from techbridge.errors import InvalidDataError
from techbridge.i18n.loader import translate
from techbridge.i18n.validation import say_error
from techbridge.models import AchievementKind, DemandStatus, Expert, OrgKind, TransferMode, Visibility
from techbridge.policies.service import can_edit_facts
from techbridge.registry import detail_queries, list_queries, queries, service
from techbridge.registry.list_queries import SPECS, ListParams
from techbridge.registry.pickers import region_label, resolve_pick, resolve_region
from techbridge.registry.queries import INSTITUTION_KINDS
from techbridge.registry.regions import localize_names, region_name
from techbridge.registry.schemas import AchievementCreate, DemandCreate
from techbridge.transfers.service import list_capacities
from techbridge.web.csrf import FORM_FIELD
from techbridge.web.deps import CsrfDep, DbDep, IdPath, LangDep, SettingsDep, SignedInDep, ViewerDep, get_lang
from techbridge.web.templating import render

router = APIRouter()

LIST_PAGES: dict[str, str] = {
    "enterprise": "/enterprises",
    "institution": "/institutions",
    "carrier": "/carriers",
    "expert": "/experts",
    "achievement": "/achievements",
    "demand": "/demands",
    "region": "/regions",
}


def list_params(request: Request, entity: str, page_size: int) -> ListParams:
    """The list request in the query string; only whitelisted filter names are kept."""
    qp = request.query_params
    filters = {name: qp[name] for name in SPECS[entity].filter_names if qp.get(name)}
    raw_page = qp.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() else 1
    return ListParams(q=qp.get("q", ""), sort=qp.get("sort", ""), page=page, size=page_size, filters=filters)


def _sort_links(entity: str, query: dict[str, str], current: str) -> dict[str, str]:
    """For each sortable column, the query string that sorts by it (toggling direction when it is current)."""
    links = {}
    for key in SPECS[entity].sorts:
        target = f"-{key}" if current == key else key
        links[key] = urlencode({**query, "sort": target})
    return links


def _labels(session: Session, viewer: Viewer, items: list[Any], lang: str) -> dict[str, Any]:
    names = queries.region_names(session, (getattr(i, "region_code", None) for i in items))
    return {
        "regions": localize_names(names, lang),
        "orgs": queries.organization_names(session, viewer, (getattr(i, "enterprise_id", None) for i in items)),
        "affiliations": {
            expert_id: shown.name
            for expert_id, shown in detail_queries.shown_affiliations(
                session, viewer, (i for i in items if isinstance(i, Expert))
            ).items()
        },
    }


def render_list(request: Request, session: Session, viewer: Viewer, settings: Settings, entity: str) -> HTMLResponse:
    """A list page, or only its table for HTMX requests."""
    params = list_params(request, entity, settings.page_size)
    typed_parent, parent_error = params.filters.get("parent", ""), None
    if typed_parent:  # the parent region is typed or picked by name (辽宁, 大连), never as a code only
        filters = {k: v for k, v in params.filters.items() if k != "parent"}
        try:
            filters["parent"] = resolve_region(session, typed_parent, "parent")
        except InvalidDataError as exc:
            parent_error = exc.said(get_lang(request))
        params = replace(params, filters=filters)
    page = list_queries.list_entities(session, viewer, entity, params)
    sort = list_queries.resolve_sort(entity, params.sort)
    query = {k: v for k, v in {"q": params.q, **params.filters}.items() if v}
    context = {
        "entity": entity,
        "path": LIST_PAGES[entity],
        "page": page,
        "params": params,
        "sort": sort,
        "sort_links": _sort_links(entity, query, sort),
        "base_query": urlencode({**query, "sort": sort}),
        "labels": _labels(session, viewer, page.items, get_lang(request)),
        "cities": _cities(session, settings, get_lang(request)),
        "choices": CHOICES,
        "parent_text": typed_parent
        if parent_error
        else region_label(session, params.filters.get("parent"), get_lang(request)),
        "parent_error": parent_error,
    }
    status = 422 if parent_error else 200
    return render(request, "registry/list.html", context, partial="registry/_table.html", status_code=status)


CHOICES: dict[str, list[str]] = {
    "achievement_kind": list(AchievementKind),
    "transfer_mode": list(TransferMode),
    "demand_status": list(DemandStatus),
    "institution_kind": list(INSTITUTION_KINDS),
    "visibility": list(Visibility),
}


def _list_handler(entity: str) -> Callable[..., HTMLResponse]:
    def handler(request: Request, session: DbDep, viewer: ViewerDep, settings: SettingsDep) -> HTMLResponse:
        return render_list(request, session, viewer, settings, entity)

    handler.__doc__ = f"List page of {entity} records."
    return handler


def _form_values(form: Any) -> dict[str, str]:
    """Non-empty submitted fields, without the CSRF token (empty optional fields mean 'not given')."""
    values: dict[str, str] = {}
    for key, value in form.multi_items():
        if key == FORM_FIELD or not isinstance(value, str) or not value.strip():
            continue
        values[key] = f"{values[key]},{value}" if key in values else value.strip()
    return values


def field_errors(exc: ValidationError, lang: str) -> dict[str, str]:
    """One translated message per invalid field, e.g. {"title": "标题：至少需要 2 个字符"} (`say_error` with the
    field's label: the wording of each error type is the API's)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        label = translate(f"registry.field.{name}", lang)
        errors.setdefault(name, say_error(error, lang, name if label.startswith("registry.field.") else label))
    return errors


def _cities(session: Session, settings: Settings, lang: str) -> list[queries.RegionOption]:
    """The home province's cities for a menu, named as a page in `lang` names them."""
    cities = queries.list_child_regions(session, settings.region_code[:2])
    return [city._replace(name=region_name(city.code, city.name, lang)) for city in cities]


def _form_page(request: Request, session: Session, settings: Settings, kind: str, **ctx: Any) -> HTMLResponse:
    context = {
        "values": {},
        "errors": {},
        "cities": _cities(session, settings, get_lang(request)),
        "choices": CHOICES,
        **ctx,
    }
    status = 422 if context["errors"] else 200
    return render(
        request, f"registry/{kind}_form.html", context, status_code=status, partial=f"registry/_{kind}_form.html"
    )


def _login_redirect(path: str) -> Response:
    return RedirectResponse(f"/login?{urlencode({'next': path})}", status_code=303)


OWNER_PICKS = {
    "demand": ("enterprise", "enterprise", "enterprise_id"),
    "achievement": ("owner", "organization", "organization_id"),
}
"""Per form: the picker input an officer names the owner in, the kind it picks and the schema field it fills."""


def _picked(session: Session, viewer: Viewer, values: dict[str, str], kind: str) -> dict[str, Any]:
    """The form's values as the schema takes them: the owner an officer picked by name becomes its id
    (InvalidDataError beside the picker when the input names nothing or several visible records)."""
    name, pick_kind, target = OWNER_PICKS[kind]
    data: dict[str, Any] = {key: value for key, value in values.items() if key not in (name, target)}
    text = values.get(name, "")
    if text.strip():
        data[target] = resolve_pick(session, viewer, pick_kind, text, name)
    return data


async def _submit(
    request: Request,
    session: Session,
    settings: Settings,
    lang: str,
    kind: str,
    create: Callable[[BaseModel], int],
    schema: type[BaseModel],
    viewer: Viewer,
) -> Response:
    values = _form_values(await request.form())
    try:
        record_id = create(schema.model_validate(_picked(session, viewer, values, kind)))
    except ValidationError as exc:
        return _form_page(request, session, settings, kind, values=values, errors=field_errors(exc, lang))
    except InvalidDataError as exc:
        name = str(exc.location[0]) if exc.location else "form"
        errors = {name: exc.localized(lang).split(": ", 1)[-1]}
        return _form_page(request, session, settings, kind, values=values, errors=errors)
    return RedirectResponse(f"{LIST_PAGES[kind]}/{record_id}?done=created", status_code=303)


@router.get("/demands/new", response_class=HTMLResponse, include_in_schema=False)
def demand_form(request: Request, session: DbDep, viewer: ViewerDep, settings: SettingsDep) -> Response:
    """The form publishing a demand (signed-in users)."""
    if not viewer.is_authenticated:
        return _login_redirect("/demands/new")
    return _form_page(request, session, settings, "demand")


@router.post("/demands", include_in_schema=False, dependencies=[CsrfDep])
async def create_demand(
    request: Request, session: DbDep, viewer: SignedInDep, settings: SettingsDep, lang: LangDep
) -> Response:
    """Publish a demand, then redirect to it (POST-redirect-GET); 422 with field messages when invalid."""

    def create(data: BaseModel) -> int:
        assert isinstance(data, DemandCreate)
        return service.create_demand(session=session, viewer=viewer, data=data).id

    return await _submit(request, session, settings, lang, "demand", create, DemandCreate, viewer)


@router.get("/achievements/new", response_class=HTMLResponse, include_in_schema=False)
def achievement_form(request: Request, session: DbDep, viewer: ViewerDep, settings: SettingsDep) -> Response:
    """The form registering an achievement (signed-in users)."""
    if not viewer.is_authenticated:
        return _login_redirect("/achievements/new")
    return _form_page(request, session, settings, "achievement")


@router.post("/achievements", include_in_schema=False, dependencies=[CsrfDep])
async def create_achievement(
    request: Request, session: DbDep, viewer: SignedInDep, settings: SettingsDep, lang: LangDep
) -> Response:
    """Register an achievement, then redirect to it; 422 with field messages when invalid."""

    def create(data: BaseModel) -> int:
        assert isinstance(data, AchievementCreate)
        return service.create_achievement(session=session, viewer=viewer, data=data).id

    return await _submit(request, session, settings, lang, "achievement", create, AchievementCreate, viewer)


for _entity, _path in LIST_PAGES.items():
    router.add_api_route(
        _path,
        _list_handler(_entity),
        methods=["GET"],
        response_class=HTMLResponse,
        include_in_schema=False,
        name=f"{_entity}_list",
    )


def _organization_page(request: Request, session: Session, viewer: Viewer, org_id: int, kinds: Any) -> HTMLResponse:
    detail = detail_queries.organization_detail(session, viewer, org_id, kinds)
    context = {"d": detail, "org": detail.organization, "may_see_tiers": can_edit_facts(viewer, org_id)}
    return render(request, "registry/organization.html", context)


@router.get("/enterprises/{org_id}", response_class=HTMLResponse, include_in_schema=False)
def enterprise_page(request: Request, session: DbDep, viewer: ViewerDep, org_id: IdPath) -> HTMLResponse:
    """An enterprise: region, industries, codes, chain nodes, achievements and the other capabilities' panels."""
    return _organization_page(request, session, viewer, org_id, (OrgKind.ENTERPRISE,))


@router.get("/institutions/{org_id}", response_class=HTMLResponse, include_in_schema=False)
def institution_page(request: Request, session: DbDep, viewer: ViewerDep, org_id: IdPath) -> HTMLResponse:
    """A university or institute with its experts and achievements."""
    return _organization_page(request, session, viewer, org_id, INSTITUTION_KINDS)


@router.get("/carriers/{org_id}", response_class=HTMLResponse, include_in_schema=False)
def carrier_page(request: Request, session: DbDep, viewer: ViewerDep, org_id: IdPath) -> HTMLResponse:
    """A carrier (science park, incubator, maker space, pilot base, service centre): its type, city, service
    fields and, for a pilot base, what it offers (TRL range, fields, equipment)."""
    detail = detail_queries.organization_detail(session, viewer, org_id, (OrgKind.CARRIER,))
    capacities = list_capacities(session=session, viewer=viewer, organization_id=org_id)
    context = {"d": detail, "org": detail.organization, "capacities": capacities}
    return render(request, "registry/organization.html", context)


@router.get("/experts/{expert_id}", response_class=HTMLResponse, include_in_schema=False)
def expert_page(request: Request, session: DbDep, viewer: ViewerDep, expert_id: IdPath) -> HTMLResponse:
    """An expert; contact details only as `contact_visibility` allows."""
    detail = detail_queries.expert_detail(session, viewer, expert_id)
    return render(request, "registry/expert.html", {"d": detail, "expert": detail.expert})


@router.get("/achievements/{achievement_id}", response_class=HTMLResponse, include_in_schema=False)
def achievement_page(request: Request, session: DbDep, viewer: ViewerDep, achievement_id: IdPath) -> HTMLResponse:
    """An achievement: owners, keywords, IPC, TRL, transfer modes, adopters and pilot-base panels."""
    detail = detail_queries.achievement_detail(session, viewer, achievement_id)
    return render(request, "registry/achievement.html", {"d": detail, "a": detail.achievement})


@router.get("/demands/{demand_id}", response_class=HTMLResponse, include_in_schema=False)
def demand_page(request: Request, session: DbDep, viewer: ViewerDep, demand_id: IdPath) -> HTMLResponse:
    """A demand with its issuing enterprise."""
    detail = detail_queries.demand_detail(session, viewer, demand_id)
    return render(request, "registry/demand.html", {"d": detail, "demand": detail.demand})
