"""Portal pages: the home page with the registry's counts and entry points."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from techbridge.registry.queries import count_entities
from techbridge.web.deps import DbDep
from techbridge.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, session: DbDep) -> HTMLResponse:
    """Counts per entity type and links into every capability."""
    return render(request, "home.html", {"counts": count_entities(session)})
