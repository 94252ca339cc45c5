"""create_app(settings): the FastAPI application with sessions, static files, routers and error mapping."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from techbridge.audit.service import install as install_audit
from techbridge.chains.service import warm_graph
from techbridge.config import Settings
from techbridge.errors import (
    ConflictError,
    InvalidDataError,
    NotFoundError,
    PermissionDeniedError,
    TechbridgeError,
)
from techbridge.i18n.loader import translate
from techbridge.signing import signing_key
from techbridge.web import limits
from techbridge.web.actor import AuditActorMiddleware
from techbridge.web.deps import get_lang, is_cookie_secure
from techbridge.web.headers import SecurityHeadersMiddleware
from techbridge.web.htmx import is_partial
from techbridge.web.language import LanguageMiddleware
from techbridge.web.routes import (
    alerts,
    auth,
    chains,
    challenges,
    connect,
    dashboard,
    home,
    imports,
    match,
    pickers,
    registry,
    tiers,
    transfers,
)
from techbridge.web.routes import audit as audit_routes
from techbridge.web.routes.api import router as api_router
from techbridge.web.routes.api.errors import ErrorResponse, validation_body
from techbridge.web.templating import render

LOG = logging.getLogger(__name__)
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


def _should_sign_in(request: Request, exc: TechbridgeError) -> bool:
    """An anonymous visitor opening a page that needs an account is sent to sign in (and back afterwards)."""
    anonymous = not isinstance(request.session.get("uid"), int)
    page = request.method == "GET" and not request.url.path.startswith("/api/") and not is_partial(request)
    return anonymous and page and isinstance(exc, PermissionDeniedError)


async def _handle_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TechbridgeError)
    status = _status_of(exc)
    lang = get_lang(request)
    if _should_sign_in(request, exc):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if request.url.path.startswith("/api/"):
        body = {"error": exc.code, "message": exc.localized(lang), "location": list(exc.location or [])}
        return ErrorResponse(body, status_code=status)
    return render(
        request,
        "error.html",
        {"error": exc, "message": exc.localized(lang)},
        status_code=status,
        partial="_error.html",
    )


async def _handle_validation_error(request: Request, exc: Exception) -> Response:
    """Invalid request input, said in the caller's language with the field and the limit it broke: under /api the
    domain errors' body (code, message, location) with pydantic's `detail` beside it; on the portal the error page
    (or its partial for HTMX), status 422."""
    assert isinstance(exc, RequestValidationError)
    body = validation_body(exc, get_lang(request))
    if request.url.path.startswith("/api/"):
        return ErrorResponse(body, status_code=422)
    context = {"error": exc, "message": body["message"], "status": 422}
    return render(request, "error.html", context, status_code=422, partial="_error.html")


HTTP_MESSAGES = {404: "error.not_found", 403: "error.permission_denied", 405: "error.method"}


async def _handle_http_error(request: Request, exc: Exception) -> Response:
    """Unknown URLs and other HTTP errors: JSON under /api, the portal's own error page (with a way back) elsewhere."""
    assert isinstance(exc, StarletteHTTPException)
    lang = get_lang(request)
    message = translate(HTTP_MESSAGES.get(exc.status_code, "error.title"), lang)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": str(exc.status_code), "message": message, "location": []}, exc.status_code)
    context = {"error": exc, "message": message, "status": exc.status_code}
    return render(request, "error.html", context, status_code=exc.status_code, partial="_error.html")


def _warm(database_url: str) -> None:
    """Build the per-process caches a first chain request would otherwise wait ~30 s for (real data)."""
    try:
        warm_graph(database_url)
    except Exception:  # a warm-up failure only means the first request builds instead; it must not stop the worker
        LOG.exception("warming the chain graph failed")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At worker start, the handlers' thread pool is sized (`web_threads`) and the chain graph is built in a daemon
    thread: startup and requests do not wait for it.

    The handlers are CPU-bound Python, so their threads take turns on one GIL: anyio's default of 40 threads made
    every C call that releases the GIL (SQLite steps, tantivy) wait behind the others, and served fewer requests
    than 2 threads do (docs/benchmarks.md, "Load"). A request waiting on a slow answer (a first chain-graph build)
    holds one of these threads; the warm-up thread builds the graph at start so that such waits end early.
    """
    settings: Settings = app.state.settings
    to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
    gc.freeze()  # the modules and templates loaded so far live as long as the worker: full collections skip them
    if settings.warm_caches:
        threading.Thread(target=_warm, args=(settings.database_url,), name="warm-caches", daemon=True).start()
    yield


def create_app(settings: Settings) -> FastAPI:
    """The portal and API bound to `settings`."""
    app = FastAPI(
        title="techbridge 科创桥 API",
        version="0.1.0",
        docs_url="/docs",
        openapi_url="/openapi.json",
        lifespan=_lifespan,
    )
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
    app.add_middleware(LanguageMiddleware)
    limits.install(app, settings)
    app.add_middleware(SecurityHeadersMiddleware, tls=is_cookie_secure(settings))
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in (
        home,
        auth,
        registry,
        match,
        imports,
        tiers,
        chains,
        transfers,
        challenges,
        dashboard,
        alerts,
        connect,
        pickers,
    ):
        app.include_router(module.router)
    app.include_router(audit_routes.router)
    app.include_router(api_router, prefix="/api")
    app.add_exception_handler(TechbridgeError, _handle_domain_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_error)
    return app
