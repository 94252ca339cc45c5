"""Portal pages: sign in and sign out (session cookie, CSRF-protected forms, language switch)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from techbridge.accounts.service import authenticate
from techbridge.i18n.loader import translate
from techbridge.web.deps import CsrfDep, DbDep, LangDep
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
    lang: LangDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password; on success remember the user in the session and redirect (POST-redirect-GET)."""
    user = authenticate(session=session, username=username, password=password)
    if user is None:
        context = {"next": next, "error": translate("auth.failed", lang), "username": username}
        return render(request, "auth/login.html", context, status_code=401)
    csrf = request.session.get("csrf")
    request.session.clear()
    request.session.update({"uid": user.id, "username": user.display_name or user.username, "role": user.role})
    if csrf:
        request.session["csrf"] = csrf
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)


@router.post("/logout", include_in_schema=False, dependencies=[CsrfDep])
def logout(request: Request) -> Response:
    """Forget the session."""
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/lang/{code}", include_in_schema=False)
def switch_language(code: str, next: str = "/") -> Response:
    """Remember the chosen interface language in a cookie."""
    response = RedirectResponse(next if next.startswith("/") else "/", status_code=303)
    response.set_cookie("lang", "en" if code == "en" else "zh", max_age=365 * 86400, samesite="lax")
    return response
