"""`/admin/audit`: the audit log for admins (newest first, filters by actor, action, table and key; paginated)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from techbridge.access import Viewer
from techbridge.audit.queries import AuditFilter
from techbridge.audit.service import list_audit
from techbridge.errors import PermissionDeniedError
from techbridge.models import AuditAction, Role
from techbridge.web.deps import DbDep, ViewerDep
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
    _: Annotated[Viewer, Depends(require_admin)],
    actor: Filter = "",
    action: Filter = "",
    entity: Filter = "",
    entity_id: Filter = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    """One page of the log; HTMX filter changes swap only the table."""
    spec = AuditFilter(actor=actor, action=action, entity=entity, entity_id=entity_id)
    entries, total = list_audit(session=session, spec=spec, page=page, size=PAGE_SIZE)
    context = {
        "entries": entries,
        "page": page_of_total(entries, page, PAGE_SIZE, total),
        "base_query": query_without_page(request),
        "spec": spec,
        "actions": [a.value for a in AuditAction],
    }
    return render(request, "audit/list.html", context, partial="audit/_table.html")
