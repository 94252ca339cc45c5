"""`techbridge challenges …` from publication to a ranked list of applicants and an accepted milestone."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.config import Settings, get_settings
from techbridge.errors import ConflictError, InvalidDataError


def invoke(settings: Settings, *args: str) -> tuple[int, object]:
    get_settings.cache_clear()
    result = CliRunner().invoke(app, list(args), env={"TECHBRIDGE_DATABASE_URL": settings.database_url})
    return result.exit_code, json.loads(result.stdout) if result.exit_code == 0 else result.stderr


def test_challenge_end_to_end(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    code, challenge = invoke(
        settings,
        "challenges",
        "publish",
        "--title",
        "工业机器人减速器精度攻关",
        "--goal",
        "研制高精度RV减速器",
        "--indicator",
        "回差 ≤ 1 弧分",
        "--budget",
        "500",
        "--deadline",
        "2099-12-31",
        "--field",
        "高端装备",
    )
    assert code == 0
    cid = str(challenge["id"])  # type: ignore[index]
    invoke(settings, "challenges", "apply", cid, "--team", "软件团队", "--plan", "办公软件开发")
    _, strong = invoke(settings, "challenges", "apply", cid, "--team", "减速器团队", "--plan", "RV减速器高精度加工")
    code, ranked = invoke(settings, "challenges", "rank", cid)
    assert code == 0
    assert [a["team_name"] for a in ranked] == ["减速器团队", "软件团队"]  # type: ignore[union-attr]
    early = ["challenges", "choose", str(strong["id"]), "--milestone", "样机@2100-06-30"]  # type: ignore[index]
    result = CliRunner().invoke(app, early, env={"TECHBRIDGE_DATABASE_URL": settings.database_url})
    assert isinstance(result.exception, ConflictError)  # applications are open until 2099-12-31
    monkeypatch.setattr("techbridge.challenges.service.today_local", lambda: date(2100, 1, 1))
    code, _ = invoke(settings, "challenges", "choose", str(strong["id"]), "--milestone", "样机@2100-06-30")  # type: ignore[index]
    assert code == 0
    _, shown = invoke(settings, "challenges", "show", cid)
    milestone = str(shown["milestones"][0]["id"])  # type: ignore[index]
    assert invoke(settings, "challenges", "milestone", "submit", milestone)[0] == 0
    _, decided = invoke(settings, "challenges", "milestone", "decide", milestone)
    assert decided["status"] == "accepted"  # type: ignore[index]
    _, shown = invoke(settings, "challenges", "show", cid)
    assert shown["status"] == "accepted"  # type: ignore[index]


def test_apply_names_a_missing_achievement(settings: Settings) -> None:
    _, challenge = invoke(settings, "challenges", "publish", "--title", "减速器攻关", "--goal", "研制RV减速器")
    args = ["challenges", "apply", str(challenge["id"]), "--team", "T", "--achievement", "987654"]  # type: ignore[index]
    result = CliRunner().invoke(app, args, env={"TECHBRIDGE_DATABASE_URL": settings.database_url})
    assert isinstance(result.exception, InvalidDataError)  # main() prints it as one line and exits 1
    assert str(result.exception).startswith("achievement_ids:987654:")
