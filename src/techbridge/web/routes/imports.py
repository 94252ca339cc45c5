"""Portal pages: upload a spreadsheet (signed-in users, CSRF), see every row error, download templates."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from techbridge.errors import InvalidDataError
from techbridge.imports.mapping import ENTITIES, load_mapping, template_csv, template_xlsx
from techbridge.imports.spreadsheet import VISIBILITY_ENTITIES, ImportRejectedError, import_spreadsheet
from techbridge.models import Visibility
from techbridge.web.deps import CsrfDep, SettingsDep, ViewerDep
from techbridge.web.templating import render

router = APIRouter()
ALLOWED_SUFFIXES = (".csv", ".tsv", ".xlsx", ".jsonl", ".json")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _login_redirect() -> Response:
    return RedirectResponse("/login?next=/import", status_code=303)


@router.get("/import", response_class=HTMLResponse, include_in_schema=False)
def upload_form(request: Request, viewer: ViewerDep) -> Response:
    """The upload form and template links (signed-in users only)."""
    if not viewer.is_authenticated:
        return _login_redirect()
    return render(request, "imports/upload.html", _form_context("achievement", Visibility.PUBLIC.value))


def _form_context(entity: str, visibility: str) -> dict[str, object]:
    return {
        "entities": ENTITIES,
        "selected": entity,
        "visibilities": [v.value for v in Visibility],
        "visibility": visibility,
        "visibility_entities": VISIBILITY_ENTITIES,
    }


@router.post("/import", response_class=HTMLResponse, include_in_schema=False, dependencies=[CsrfDep])
async def upload(
    request: Request,
    viewer: ViewerDep,
    settings: SettingsDep,
    entity: Annotated[str, Form()],
    file: UploadFile,
    visibility: Annotated[str, Form()] = Visibility.PUBLIC.value,
) -> Response:
    """Import the uploaded file with the chosen visibility; a bad file re-renders the form with every row error
    (422), nothing written."""
    if not viewer.is_authenticated:
        return _login_redirect()
    name = Path(file.filename or "upload.csv").name
    suffix = Path(name).suffix.lower()
    if entity not in ENTITIES or suffix not in ALLOWED_SUFFIXES:
        raise InvalidDataError(
            f"unsupported entity or file type {suffix!r}", message_zh=f"不支持的数据类型或文件格式「{suffix}」"
        )
    folder = settings.var_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{secrets.token_hex(8)}{suffix}"
    stored.write_bytes(await file.read())
    context = {**_form_context(entity, visibility), "filename": name}
    try:
        summary = import_spreadsheet(
            settings,
            entity,
            stored,
            display_name=name,
            show_progress=False,
            uploader=viewer,
            visibility=visibility,
        )
    except ImportRejectedError as exc:
        return render(
            request,
            "imports/upload.html",
            {**context, "errors": exc.errors},
            status_code=422,
            partial="imports/_result.html",
        )
    finally:
        stored.unlink(missing_ok=True)
    return render(request, "imports/upload.html", {**context, "summary": summary}, partial="imports/_result.html")


@router.get("/import/template/{entity}.{fmt}", include_in_schema=False)
def download_template(entity: str, fmt: str) -> Response:
    """A blank template (header + example row) generated from the entity's mapping file."""
    spec = load_mapping(entity)
    headers = {"Content-Disposition": f'attachment; filename="{entity}-template.{fmt}"'}
    if fmt == "xlsx":
        return Response(template_xlsx(spec), media_type=XLSX_TYPE, headers=headers)
    if fmt == "csv":
        return Response(template_csv(spec).encode("utf-8-sig"), media_type="text/csv; charset=utf-8", headers=headers)
    raise InvalidDataError(f"unknown template format {fmt!r}", message_zh=f"未知模板格式「{fmt}」")
