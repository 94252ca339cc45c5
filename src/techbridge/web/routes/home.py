"""Portal pages: the home page with the registry's counts, entry points and the newest records."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from techbridge.imports.sample import data_origin
from techbridge.models import Achievement, Demand
from techbridge.notifications.service import list_notifications
from techbridge.registry.count_queries import count_entities_cached
from techbridge.registry.list_queries import list_recent
from techbridge.registry.queries import organization_names
from techbridge.web.deps import DbDep, ViewerDep
from techbridge.web.templating import render

router = APIRouter()
RECENT_LIMIT = 6


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, session: DbDep, viewer: ViewerDep) -> HTMLResponse:
    """Counts of what the viewer may read, links into every capability, the newest achievements and demands."""
    demands = list_recent(session, viewer, Demand, RECENT_LIMIT)
    context = {
        "counts": count_entities_cached(session, viewer),
        "recent_achievements": list_recent(session, viewer, Achievement, RECENT_LIMIT),
        "recent_demands": demands,
        "demand_orgs": organization_names(session, viewer, (d.enterprise_id for d in demands)),
        "data_source": data_origin(session),
        "recommended": (
            list_notifications(session=session, viewer=viewer, unread_only=True, limit=RECENT_LIMIT)
            if viewer.is_authenticated
            else []
        ),
    }
    return render(request, "home.html", context)
