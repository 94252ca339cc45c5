"""The Jinja environment (autoescaped) with the translation and CSRF globals and the formatter filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from techbridge.i18n.loader import translate
from techbridge.web.csrf import FORM_FIELD, csrf_token
from techbridge.web.deps import get_lang
from techbridge.web.formatters import FILTERS
from techbridge.web.htmx import is_partial

TEMPLATE_DIR = Path(__file__).parent / "templates"


def build_templates() -> Jinja2Templates:
    """Templates with autoescape on, formatter filters and the `t`/`csrf_field` globals."""
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    templates.env.autoescape = True
    templates.env.auto_reload = False  # templates ship with the code: no stat() of each one per render
    templates.env.filters.update(FILTERS)
    return templates


TEMPLATES = build_templates()


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    partial: str | None = None,
) -> HTMLResponse:
    """Render a page, or only `partial` when the request is an HTMX partial request."""
    lang = get_lang(request)
    token = csrf_token(request)
    ctx: dict[str, Any] = {
        "lang": lang,
        "t": lambda key, **params: translate(key, lang, **params),
        "csrf_token": token,
        "csrf_field_name": FORM_FIELD,
        "session_user": request.session.get("username"),
        "session_role": request.session.get("role"),
        "session_uid": request.session.get("uid"),
    }
    ctx.update(context or {})
    name = partial if partial and is_partial(request) else template
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status_code)
