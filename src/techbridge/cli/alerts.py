"""`techbridge alerts run`: score new records against subscriptions, then compose and send the due e-mail digests."""

from __future__ import annotations

import typer

from techbridge.cli.context import print_json, settings_of
from techbridge.jobs.process import StopFlag
from techbridge.notifications.schemas import AlertRunReport
from techbridge.notifications.service import BATCH_SIZE, run_alerts, run_alerts_every

app = typer.Typer(help="Subscriptions' notifications and e-mail digests.", no_args_is_help=True)


@app.command("run")
def run(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="print {processed, notifications, emails_sent, emails_failed}"),
    batch_size: int = typer.Option(BATCH_SIZE, min=1, max=10_000, help="records scored per committed batch"),
    every: float = typer.Option(0.0, min=0.0, help="keep running, once every this many seconds (0: once)"),
) -> None:
    """Process what is pending once (schedule it with cron or a systemd timer), or every N seconds with --every."""
    settings = settings_of(ctx)

    def show(report: AlertRunReport) -> None:
        if as_json:
            print_json(report.as_dict())
        else:
            typer.echo(
                f"{report.processed} new records scored, {report.notifications} notifications, "
                f"{report.emails_sent} e-mails sent, {report.emails_failed} failed (retried later)"
            )

    if not every:
        show(run_alerts(settings, batch_size=batch_size))
        return
    run_alerts_every(
        settings,
        every=every,
        batch_size=batch_size,
        should_stop=StopFlag.on_signals(),
        on_report=show,
        on_error=lambda exc: typer.echo(f"alerts: round failed, retried next round: {exc.orig}", err=True),
    )
