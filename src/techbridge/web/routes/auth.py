"""Portal pages: sign in and sign out (session cookie, CSRF-protected forms, language switch)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from techbridge.accounts.throttle import sign_in, throttle_rule
from techbridge.i18n.loader import translate
from techbridge.web.deps import CsrfDep, DbDep, LangDep, SettingsDep, client_address, is_cookie_secure
from techbridge.web.templating import render

router = APIRouter()


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return render(request, "auth/login.html", {"next": next, "error": None})


@router.post("/login", include_in_schema=False, dependencies=[CsrfDep])
def login(
    request: Request,
    session: DbDep,
    settings: SettingsDep,
    lang: LangDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password; on success remember the user in the session and redirect (POST-redirect-GET)."""
    result = sign_in(
        session=session,
        rule=throttle_rule(settings),
        username=username,
        password=password,
        address=client_address(request),
    )
    user = result.user
    if user is None:
        error = translate("auth.locked", lang, minutes=result.retry_minutes) if result.retry_minutes else None
        context = {"next": next, "error": error or translate("auth.failed", lang), "username": username}
        return render(request, "auth/login.html", context, status_code=429 if result.retry_minutes else 401)
    csrf = request.session.get("csrf")
    request.session.clear()
    request.session.update({"uid": user.id, "username": user.display_name or user.username, "role": user.role})
    if csrf:
        request.session["csrf"] = csrf
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False, dependencies=[CsrfDep])
def logout(request: Request) -> Response:
    """Forget the session."""
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/lang/{code}", include_in_schema=False)
def switch_language(code: str, settings: SettingsDep, next: str = "/") -> Response:
    """Remember the chosen interface language in a cookie."""
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        "lang",
        "en" if code == "en" else "zh",
        max_age=365 * 86400,
        samesite="lax",
        httponly=True,
        secure=is_cookie_secure(settings),
    )
    return response


def safe_next(target: str) -> str:
    """`target` when it is a path on this site, else "/": no scheme, host, `//`, backslash or control character."""
    if not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"
