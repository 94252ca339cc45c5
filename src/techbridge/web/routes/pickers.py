"""The one picker component's server side: `/pick/{kind}` answers the typed text with datalist options."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from techbridge.registry.pickers import KINDS, pick_options
from techbridge.web.deps import DbDep, LangDep, ViewerDep
from techbridge.web.templating import render

router = APIRouter()


@router.get("/pick/{kind}", response_class=HTMLResponse, include_in_schema=False)
def pick(request: Request, kind: str, session: DbDep, viewer: ViewerDep, lang: LangDep) -> HTMLResponse:
    """Options for what was typed into a picker (the input sends itself under its own name); regions named as the
    page's language names them."""
    if kind not in KINDS and kind not in ("region", "field"):
        return HTMLResponse("", status_code=404)
    typed = next((v for k, v in reversed(request.query_params.multi_items()) if k != "lang"), "")
    options = pick_options(session, viewer, kind, typed[:100], lang=lang)
    return render(request, "_picker_options.html", {"options": options})
