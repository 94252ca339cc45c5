"""`/admin/audit`: the audit log for admins (newest first; filters by actor and record picked by name, action and
table; paginated)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from techbridge.access import Viewer
from techbridge.audit.service import audited_tables, list_audit, record_kind, record_label, resolve_filter
from techbridge.errors import InvalidDataError, PermissionDeniedError
from techbridge.models import AuditAction, Role
from techbridge.web.deps import DbDep, LangDep, ViewerDep
from techbridge.web.pagination import MAX_PAGE, page_of_total, query_without_page
from techbridge.web.templating import render

router = APIRouter()
PAGE_SIZE = 50


def require_admin(viewer: ViewerDep) -> Viewer:
    """The viewer, who must be an administrator."""
    if viewer.role != Role.ADMIN:
        raise PermissionDeniedError("administrators only", message_zh="仅限系统管理员")
    return viewer


Filter = Annotated[str, Query(max_length=128)]


@router.get("/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request,
    session: DbDep,
    viewer: Annotated[Viewer, Depends(require_admin)],
    lang: LangDep,
    actor: Filter = "",
    action: Filter = "",
    entity: Filter = "",
    record: Filter = "",
    entity_id: Filter = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    """One page of the log; HTMX filter changes swap the form and the table (the record picker follows the table).
    The actor and the record are typed or picked by name; one naming nothing is a 422 beside its field with the
    input kept. `entity_id` (older links) is a record key, shown by the record's name."""
    if entity_id and not record:
        record = record_label(session=session, viewer=viewer, entity=entity, entity_id=entity_id)
    form = {"actor": actor, "action": action, "entity": entity, "record": record}
    context: dict[str, Any] = {
        "form": form,
        "record_kind": record_kind(entity),
        "tables": sorted({*audited_tables(), *([entity] if entity else [])}),
        "actions": [a.value for a in AuditAction],
        "base_query": query_without_page(request),
        "entries": [],
        "page": page_of_total([], 1, PAGE_SIZE, 0),
    }
    try:
        spec = resolve_filter(session=session, viewer=viewer, **form)
    except InvalidDataError as exc:
        context.update(error_field=exc.location[0] if exc.location else None, error_text=exc.said(lang))
        return render(request, "audit/list.html", context, status_code=422, partial="audit/_body.html")
    entries, total = list_audit(session=session, spec=spec, page=page, size=PAGE_SIZE)
    context.update(entries=entries, page=page_of_total(entries, page, PAGE_SIZE, total))
    return render(request, "audit/list.html", context, partial="audit/_body.html")
