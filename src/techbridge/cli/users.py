"""`techbridge users …`: accounts."""

from __future__ import annotations

import typer

from techbridge.accounts.queries import list_users
from techbridge.accounts.service import create_user, set_role
from techbridge.cli.context import print_json, settings_of
from techbridge.db import session_scope
from techbridge.models import Role

app = typer.Typer(help="User accounts.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    username: str,
    role: Role = typer.Option(Role.ENTERPRISE, help="admin | officer | enterprise | institution | broker"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    display_name: str = typer.Option("", help="name shown in the portal"),
    organization_id: int | None = typer.Option(None, help="the user's organization"),
) -> None:
    """Create a user with an argon2-hashed password."""
    with session_scope(settings_of(ctx).database_url) as session:
        user = create_user(
            session=session,
            username=username,
            password=password,
            role=role,
            display_name=display_name,
            organization_id=organization_id,
        )
        typer.echo(f"created user {user.username} ({user.role}) id={user.id}")


@app.command("role")
def role(
    ctx: typer.Context,
    username: str,
    new_role: Role = typer.Argument(..., help="admin | officer | enterprise | institution | broker"),
) -> None:
    """Change a user's role (recorded in the audit log)."""
    with session_scope(settings_of(ctx).database_url) as session:
        user = set_role(session=session, username=username, role=new_role)
        typer.echo(f"{user.username} is now {user.role}")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """List users."""
    with session_scope(settings_of(ctx).database_url) as session:
        rows = [{"id": u.id, "username": u.username, "role": u.role} for u in list_users(session)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['id']}\t{row['username']}\t{row['role']}")
