"""Request dependencies as Annotated types: settings, DB session, viewer, language, CSRF check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.accounts.service import viewer_for
from techbridge.audit.service import Actor
from techbridge.config import Settings
from techbridge.db import MAX_INT, session_scope
from techbridge.errors import PermissionDeniedError
from techbridge.i18n.loader import DEFAULT_LANGUAGE, LANGUAGES
from techbridge.models import User
from techbridge.web.csrf import is_valid_csrf

LANG_COOKIE = "lang"
DB_SCOPE: Literal["function"] = "function"
"""The session ends (commit or rollback) when the handler returns, before the response is sent: FastAPI's default
ends it after the response, so the page a POST redirects to could be read before the change was committed (and a
failed commit came after the person had been shown success)."""
MAX_ID = MAX_INT  # ids are INTEGER on PostgreSQL: larger path ids are refused with 422 before any query


def request_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    return settings


async def get_settings_dep(request: Request) -> Settings:
    """`request_settings` as a dependency. Dependencies that do no I/O are `async def`: FastAPI runs a plain `def`
    dependency in the thread pool, a hop that cost more than the work on every request."""
    return request_settings(request)


def is_cookie_secure(settings: Settings) -> bool:
    """Whether cookies carry `Secure` (served behind TLS): the `cookie_secure` setting, always in prod."""
    return settings.cookie_secure or settings.env == "prod"


def client_address(request: Request) -> str:
    """The peer address sign-in throttling counts (behind a proxy: run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; committed when the handler returns normally, before the response starts (see
    `DB_SCOPE`)."""
    with session_scope(request_settings(request).database_url) as session:
        yield session


def get_user(request: Request, session: Annotated[Session, Depends(get_db, scope=DB_SCOPE)]) -> User | None:
    """The signed-in user, if the session cookie names an active one."""
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    session.info["actor"] = Actor(user_id=user.id, name=user.username)
    return user


async def get_viewer(user: Annotated[User | None, Depends(get_user)]) -> Viewer:
    """The Viewer the request acts as."""
    return viewer_for(user)


def get_lang(request: Request) -> str:
    """The interface language: ?lang=, then the cookie, then Chinese."""
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


async def get_lang_dep(request: Request) -> str:
    """`get_lang` as a dependency (no I/O: no thread-pool hop)."""
    return get_lang(request)


async def verify_csrf(request: Request) -> None:
    """Reject unsafe requests without the session's CSRF token."""
    if not await is_valid_csrf(request):
        raise PermissionDeniedError(
            "missing or invalid CSRF token", message_zh="表单已过期或缺少安全令牌，请刷新后重试"
        )


async def require_user(viewer: Annotated[Viewer, Depends(get_viewer)]) -> Viewer:
    """The viewer, who must be signed in."""
    if not viewer.is_authenticated:
        raise PermissionDeniedError("sign in first", message_zh="请先登录")
    return viewer


async def require_privileged(viewer: Annotated[Viewer, Depends(get_viewer)]) -> Viewer:
    """The viewer, who must be an officer or admin."""
    if not viewer.is_privileged:
        raise PermissionDeniedError("officers only", message_zh="仅限主管部门用户")
    return viewer


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DbDep = Annotated[Session, Depends(get_db, scope=DB_SCOPE)]
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
UserDep = Annotated[User | None, Depends(get_user)]
SignedInDep = Annotated[Viewer, Depends(require_user)]
OfficerDep = Annotated[Viewer, Depends(require_privileged)]
LangDep = Annotated[str, Depends(get_lang_dep)]
CsrfDep = Depends(verify_csrf)
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="record id")]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="record id")]
