"""create_app(settings): the FastAPI application with sessions, static files, routers and error mapping."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from techbridge.audit.service import install as install_audit
from techbridge.config import Settings
from techbridge.errors import (
    ConflictError,
    InvalidDataError,
    NotFoundError,
    PermissionDeniedError,
    TechbridgeError,
)
from techbridge.signing import signing_key
from techbridge.web.actor import AuditActorMiddleware
from techbridge.web.deps import get_lang, is_cookie_secure
from techbridge.web.headers import SecurityHeadersMiddleware
from techbridge.web.routes import audit as audit_routes
from techbridge.web.routes import (
    auth,
    chains,
    challenges,
    dashboard,
    home,
    imports,
    match,
    registry,
    tiers,
    transfers,
)
from techbridge.web.routes.api import router as api_router
from techbridge.web.templating import render

STATIC_DIR = Path(__file__).parent / "static"
STATUS_BY_ERROR: dict[type[TechbridgeError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    InvalidDataError: 422,
    PermissionDeniedError: 403,
}


def _status_of(exc: TechbridgeError) -> int:
    for cls, status in STATUS_BY_ERROR.items():
        if isinstance(exc, cls):
            return status
    return 400


async def _handle_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TechbridgeError)
    status = _status_of(exc)
    lang = get_lang(request)
    if request.url.path.startswith("/api/"):
        body = {"error": exc.code, "message": exc.localized(lang), "location": list(exc.location or [])}
        return JSONResponse(body, status_code=status)
    return render(
        request,
        "error.html",
        {"error": exc, "message": exc.localized(lang)},
        status_code=status,
        partial="_error.html",
    )


def create_app(settings: Settings) -> FastAPI:
    """The portal and API bound to `settings`."""
    app = FastAPI(title="techbridge 科创桥 API", version="0.1.0", docs_url="/docs", openapi_url="/openapi.json")
    app.state.settings = settings
    install_audit()
    app.add_middleware(AuditActorMiddleware)  # inside the session middleware: reads the decoded session
    app.add_middleware(
        SessionMiddleware,
        secret_key=signing_key(settings),
        session_cookie="techbridge_session",
        same_site="lax",
        https_only=is_cookie_secure(settings),
    )
    app.add_middleware(SecurityHeadersMiddleware, tls=is_cookie_secure(settings))
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in (home, auth, registry, match, imports, tiers, chains, transfers, challenges, dashboard):
        app.include_router(module.router)
    app.include_router(audit_routes.router)
    app.include_router(api_router, prefix="/api")
    app.add_exception_handler(TechbridgeError, _handle_domain_error)
    return app
