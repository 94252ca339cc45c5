"""Root Typer app: registers each domain's sub-app, puts Settings in the context, maps errors to exit codes."""

from __future__ import annotations

import subprocess
import sys
from typing import NoReturn

import typer
from sqlalchemy.exc import DBAPIError
from typer._click.exceptions import UsageError

from techbridge.cli import (
    alerts,
    backup,
    chains,
    challenges,
    data,
    db,
    demo,
    evaluate,
    imports,
    indexer,
    metrics,
    registry,
    search,
    tiers,
    transfers,
    users,
)
from techbridge.cli import audit as audit_cli
from techbridge.cli.context import cli_lang, settings_of
from techbridge.cli.usage import usage_line_zh
from techbridge.config import Settings, get_settings
from techbridge.db import schema_missing
from techbridge.errors import TechbridgeError

app = typer.Typer(help="techbridge (科创桥): innovation-resource registry, matching, tiers, chains, transfers.")
app.add_typer(db.app, name="db")
app.add_typer(imports.app, name="import")
app.add_typer(users.app, name="users")
app.add_typer(registry.demands_app, name="demands")
app.add_typer(registry.achievements_app, name="achievements")
app.add_typer(search.app, name="search")
app.add_typer(evaluate.app, name="eval")
app.add_typer(tiers.app, name="tiers")
app.add_typer(metrics.app, name="metrics")
app.add_typer(transfers.app, name="transfers")
app.add_typer(challenges.app, name="challenges")
app.add_typer(chains.app, name="chains")
app.add_typer(data.app, name="data")
app.add_typer(demo.app, name="demo")
app.add_typer(alerts.app, name="alerts")
app.add_typer(indexer.app, name="indexer")
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.command("audit")(audit_cli.show)


@app.callback()
def root(ctx: typer.Context) -> None:
    """Read settings once and hand them to every command (tests pass their own through `obj`)."""
    if not isinstance(ctx.obj, Settings):
        ctx.obj = get_settings()
    audit_cli.bind_cli_actor()


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
    embed: bool = typer.Option(
        False,
        "--embed/--no-embed",
        help="run the indexer and the alert job in background processes",
    ),
    workers: int = typer.Option(
        1, "--workers", min=1, help="web worker processes; above 1 each worker reads its settings from TECHBRIDGE_*"
    ),
    access_log: bool = typer.Option(
        False,
        "--access-log/--no-access-log",
        help="log every request (off: the reverse proxy logs them; errors are always logged)",
    ),
) -> None:
    """Serve the portal and the JSON API; with --embed, the indexer (outbox, embedding) and the alert job (new
    records against subscriptions, e-mail digests, every minute) run beside it in background processes."""
    import uvicorn

    from techbridge.signing import settings_for_serving
    from techbridge.web.app import create_app

    settings = settings_for_serving(settings_of(ctx), host=host)
    jobs = []
    if embed:
        jobs.append(_background(settings, ["indexer", "run"], "embed.log"))  # niced by itself (job_niceness)
        jobs.append(_background(settings, ["alerts", "run", "--every", str(ALERTS_EVERY_SECONDS)], "alerts.log"))
    try:
        if workers > 1:
            from techbridge.web.asgi import APP_FACTORY

            uvicorn.run(
                APP_FACTORY,
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="info",
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
                access_log=access_log,
            )
        else:
            uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=access_log)
    finally:
        for job in jobs:
            if job.poll() is None:
                job.terminate()


ALERTS_EVERY_SECONDS = 60
WORKER_HEALTHCHECK_SECONDS = 60
"""How long uvicorn's supervisor waits for a worker's answer before killing it as hung (uvicorn's default, 5 s,
killed workers in a loop on a busy machine: importing the app, or building the chain graph in the warm-up thread,
can hold the GIL away from the thread that answers for longer than that)."""


def _background(settings: Settings, args: list[str], log_name: str) -> subprocess.Popen[bytes]:
    """Start `techbridge ARGS` beside the web server, its output appended to var/LOG_NAME."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    log = (settings.var_dir / log_name).open("a", encoding="utf-8")
    job = subprocess.Popen([sys.executable, "-m", "techbridge", *args], stdout=log, stderr=log)
    typer.echo(f"background {args[0]}: pid {job.pid}, log {settings.var_dir / log_name}")
    return job


ERROR_PREFIX = {"zh": "错误：", "en": "error: "}
"""How a failed command's one stderr line starts, per `cli_lang`."""
NOT_MIGRATED = TechbridgeError(
    "the database has no techbridge tables yet: run `techbridge db upgrade` first (`make run` does)",
    message_zh="数据库还没有 techbridge 的表：请先运行 `techbridge db upgrade`（`make run` 会运行它）",
)


def _fail(error: TechbridgeError) -> NoReturn:
    """The error as one stderr line in the user's language (its prefix too), exit code 1."""
    lang = cli_lang()
    sys.stderr.write(f"{ERROR_PREFIX[lang]}{error.localized(lang)}\n")
    sys.exit(1)


def _usage_error(exc: UsageError) -> NoReturn:
    """Exit code 2 with click's usage message, or for a zh user one Chinese line naming the option and reason."""
    if cli_lang() == "zh":
        sys.stderr.write(f"{ERROR_PREFIX['zh']}{usage_line_zh(exc)}\n")
    else:
        exc.show()  # "Usage: … Error: No such option: --x", as click prints it in standalone mode
    sys.exit(exc.exit_code)


def main() -> None:
    """Entry point: run the app; domain errors become one stderr line and exit code 1."""
    try:
        app(standalone_mode=False)
    except TechbridgeError as exc:
        _fail(exc)
    except typer.Abort:
        sys.stderr.write("aborted\n")
        sys.exit(1)
    except SystemExit:
        raise
    except DBAPIError as exc:
        if not schema_missing(exc):
            raise
        _fail(NOT_MIGRATED)
    except UsageError as exc:  # typer's own click: not click.ClickException
        _usage_error(exc)


@app.command("stats")
def stats(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="machine-readable output")) -> None:
    """Counts per entity type in the registry."""
    from techbridge.cli.context import print_json
    from techbridge.db import session_scope
    from techbridge.registry.count_queries import count_entities

    with session_scope(settings_of(ctx).database_url) as session:
        counts = count_entities(session)
    if as_json:
        print_json(counts)
        return
    for key, value in counts.items():
        typer.echo(f"{key}\t{value}")
