"""Portal pages: upload a spreadsheet (signed-in users, CSRF), see every row error, download templates."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from techbridge.access import Viewer
from techbridge.config import Settings
from techbridge.errors import InvalidDataError
from techbridge.imports.carriers import TEMPLATE_ENTITIES, template_spec
from techbridge.imports.mapping import template_csv, template_xlsx
from techbridge.imports.queries import region_rows
from techbridge.imports.schemas import ImportSummary
from techbridge.imports.spreadsheet import VISIBILITY_ENTITIES, ImportRejectedError, import_spreadsheet
from techbridge.models import Visibility
from techbridge.web.deps import DbDep, LangDep, SettingsDep, ViewerDep, verify_csrf
from techbridge.web.templating import render

router = APIRouter()
ALLOWED_SUFFIXES = (".csv", ".tsv", ".xlsx", ".jsonl", ".json")
MAX_FORM_FIELDS = 8
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
        "entities": TEMPLATE_ENTITIES,
        "selected": entity,
        "visibilities": [v.value for v in Visibility],
        "visibility": visibility,
        "visibility_entities": VISIBILITY_ENTITIES,
    }


@router.post("/import", response_class=HTMLResponse, include_in_schema=False)
async def upload(request: Request, viewer: ViewerDep, settings: SettingsDep) -> Response:
    """Import the uploaded file with the chosen visibility; a bad file re-renders the form with every row error
    (422), nothing written.

    The sign-in check comes before the body is read (no form parameters, so FastAPI parses nothing first); the
    body is counted while it streams by `web.limits` (413 past `max_upload_bytes`), then the CSRF token is
    checked; the file is on disk only while it is imported."""
    if not viewer.is_authenticated:
        return _login_redirect()
    form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
    try:
        await verify_csrf(request)
        entity, visibility, file = _upload_fields(form)
        name = Path(file.filename or "upload.csv").name
        context = {**_form_context(entity, visibility), "filename": name}
        try:
            summary = await run_in_threadpool(_import_upload, settings, viewer, file, entity, name, visibility)
        except ImportRejectedError as exc:
            return render(
                request,
                "imports/upload.html",
                {**context, "errors": exc.errors},
                status_code=422,
                partial="imports/_result.html",
            )
    finally:
        await form.close()
    return render(request, "imports/upload.html", {**context, "summary": summary}, partial="imports/_result.html")


def _upload_fields(form: FormData) -> tuple[str, str, UploadFile]:
    """(entity, visibility, file) of the upload form; a missing file or an unknown entity or type is an error."""
    entity = str(form.get("entity") or "")
    visibility = str(form.get("visibility") or Visibility.PUBLIC.value)
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise InvalidDataError("choose a file to upload", location=("file",), message_zh="请选择要上传的文件")
    suffix = Path(file.filename or "upload.csv").suffix.lower()
    if entity not in TEMPLATE_ENTITIES or suffix not in ALLOWED_SUFFIXES:
        raise InvalidDataError(
            f"unsupported entity or file type {suffix!r}", message_zh=f"不支持的数据类型或文件格式「{suffix}」"
        )
    return entity, visibility, file


def _import_upload(
    settings: Settings, viewer: Viewer, file: UploadFile, entity: str, name: str, visibility: str
) -> ImportSummary:
    """Copy the spooled upload to a private file under var/uploads, import it as `viewer`, remove the file."""
    folder = settings.var_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{secrets.token_hex(8)}{Path(name).suffix.lower()}"
    try:
        file.file.seek(0)
        with stored.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        return import_spreadsheet(
            settings, entity, stored, display_name=name, show_progress=False, uploader=viewer, visibility=visibility
        )
    finally:
        stored.unlink(missing_ok=True)


@router.get("/import/template/{entity}.{fmt}", include_in_schema=False)
def download_template(entity: str, fmt: str, session: DbDep, lang: LangDep) -> Response:
    """A blank template (header + example row) generated from the entity's mapping file; the XLSX one also has
    the instructions, the allowed values as dropdowns and the region list. `carrier` is the organization mapping's
    carrier columns (载体平台: parks, incubators, pilot bases)."""
    spec = template_spec(entity)
    headers = {"Content-Disposition": f'attachment; filename="{entity}-template.{fmt}"'}
    if fmt == "xlsx":
        book = template_xlsx(spec, region_rows(session), lang)
        return Response(book, media_type=XLSX_TYPE, headers=headers)
    if fmt == "csv":
        return Response(template_csv(spec).encode("utf-8-sig"), media_type="text/csv; charset=utf-8", headers=headers)
    raise InvalidDataError(f"unknown template format {fmt!r}", message_zh=f"未知模板格式「{fmt}」")
