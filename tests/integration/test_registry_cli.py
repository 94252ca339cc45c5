"""`techbridge demands|achievements create|update|close|show` through `main` on a real database: the portal's service
functions, permissions and visibility, errors as one line naming the option in the user's language, nothing
written when refused, and an outbox event the indexer applies so search finds a created record."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.cli.app import main
from techbridge.config import Settings, get_settings
from techbridge.db import session_scope
from techbridge.models import Achievement, AchievementOwner, Challenge, Demand, OutboxEvent, Role, TransferCase
from tests.registry_seed import Seed, make_user, seed_registry

Run = tuple[int, str, str]
CREDIT_CODE = "91210100604607919A"  # the seeded enterprise, 沈阳新松 (ent's own)


@pytest.fixture
def seed(session: Session) -> Seed:
    seeded = seed_registry(session)
    make_user(session, "ent2", Role.ENTERPRISE, seeded.hidden_enterprise_id)  # another enterprise's user
    session.commit()
    return seeded


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """`cli(*argv, lang="en")`: a command as a user runs it (`main`), its exit code, stdout and stderr."""

    def run(*argv: str, lang: str = "en") -> Run:
        get_settings.cache_clear()
        monkeypatch.setenv("TECHBRIDGE_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("TECHBRIDGE_VAR_DIR", str(settings.var_dir))
        monkeypatch.setenv("TECHBRIDGE_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("TECHBRIDGE_JOB_NICENESS", "0")  # the indexer runs in the test process
        monkeypatch.setenv("TECHBRIDGE_LANG", lang)
        monkeypatch.setattr("sys.argv", ["techbridge", *argv])
        try:
            main()
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        finally:
            get_settings.cache_clear()
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def payload(result: Run) -> Any:
    code, out, err = result
    assert code == 0, err
    return json.loads(out)


def snapshot(settings: Settings) -> tuple[Any, ...]:
    """Everything a refused write could have touched: demands, achievements, owner links, outbox events, challenges,
    transfer cases."""
    with session_scope(settings.database_url) as session:
        rows = [
            tuple(session.execute(select(Demand.id, Demand.title, Demand.status, Demand.budget, Demand.region_code))),
            tuple(session.execute(select(Achievement.id, Achievement.title, Achievement.trl, Achievement.visibility))),
            session.scalar(select(func.count()).select_from(AchievementOwner)),
            session.scalar(select(func.count()).select_from(OutboxEvent)),
            session.scalar(select(func.count()).select_from(Challenge)),
            session.scalar(select(func.count()).select_from(TransferCase)),
        ]
    return tuple(rows)


def events(settings: Settings) -> list[tuple[str, int | None, str]]:
    with session_scope(settings.database_url) as session:
        rows = session.execute(
            select(OutboxEvent.entity, OutboxEvent.record_id, OutboxEvent.op).order_by(OutboxEvent.id)
        )
        return [(e, r, o) for e, r, o in rows]


class TestCreate:
    def test_an_enterprise_user_publishes_a_demand_for_their_enterprise(
        self, cli: Any, seed: Seed, settings: Settings
    ) -> None:
        args = ["demands", "create", "--title", "谐波减速器柔轮寿命提升", "--description", "柔轮疲劳寿命不足"]
        args += ["--field", "高端装备", "--field", "机器人,减速器", "--budget", "80", "--deadline", "2027-12-31"]
        created = payload(cli(*args, "--region", "大连", "--as", "ent", "--json"))
        assert created["enterprise_id"] == seed.enterprise_id
        assert created["owner_id"] == seed.owner_id
        assert created["region_code"] == "2102"
        assert created["field_tags"] == ["高端装备", "机器人", "减速器"]
        assert Decimal(created["budget"]) == 80  # a string, as the API answers it
        assert created["source_dataset"] == "portal"
        assert events(settings)[-1] == ("demand", created["id"], "create")

    def test_an_achievement_takes_its_owners_region_and_an_officer_names_the_owner_by_credit_code(
        self, cli: Any, seed: Seed
    ) -> None:
        args = ["achievements", "create", "--title", "柔轮精密旋压成形工艺", "--kind", "technology", "--trl", "5"]
        args += ["--keyword", "柔轮", "--transfer-mode", "license", "--owner", CREDIT_CODE, "--as", "officer"]
        created = payload(cli(*args, "--json"))
        assert [(o["id"], o["kind"]) for o in created["owners"]] == [(seed.enterprise_id, "enterprise")]
        assert created["region_code"] == "2101"  # the owner's, none given
        assert (created["trl"], created["kind"], created["transfer_modes"]) == (5, "technology", ["license"])

    def test_the_owner_is_named_by_name_or_id(self, cli: Any, seed: Seed) -> None:
        by_name = payload(cli("achievements", "create", "--title", "成果甲", "--owner", "大连理工大学", "--json"))
        by_id = payload(cli("demands", "create", "--title", "需求乙", "--owner", str(seed.enterprise_id), "--json"))
        assert by_name["owners"][0]["id"] == seed.university_id
        assert by_id["enterprise_id"] == seed.enterprise_id

    def test_the_system_administrator_publishes_an_ownerless_record_no_enterprise_user_may_change(
        self, cli: Any, seed: Seed
    ) -> None:
        created = payload(cli("demands", "create", "--title", "平台发布的需求", "--json"))
        assert created["owner_id"] is None  # SYSTEM's id 0 names no account
        code, _, err = cli("demands", "update", str(created["id"]), "--title", "改过的标题", "--as", "ent")
        assert (code, err) == (1, "error: only the owner may change this record\n")

    def test_the_search_index_finds_a_created_record_through_the_outbox(
        self, cli: Any, seed: Seed, settings: Settings
    ) -> None:
        assert cli("search", "build", "--no-embed")[0] == 0
        created = payload(cli("achievements", "create", "--title", "钛合金柔轮旋压成形", "--as", "ent", "--json"))
        assert payload(cli("indexer", "status", "--json"))["behind"] == 1  # the create event, not yet applied
        assert cli("indexer", "run", "--once", "--no-embed")[0] == 0
        hits = payload(cli("search", "query", "钛合金柔轮", "--json"))["hits"]
        assert [h["id"] for h in hits if h["entity"] == "achievement"][:1] == [created["id"]]


class TestUpdate:
    def test_the_owner_changes_their_demand_and_an_empty_option_clears_a_field(
        self, cli: Any, seed: Seed, settings: Settings
    ) -> None:
        sid = str(seed.private_demand_id)
        payload(cli("demands", "update", sid, "--budget", "50", "--as", "ent", "--json"))
        args = [
            "demands",
            "update",
            sid,
            "--title",
            "工艺需求（新）",
            "--budget",
            "",
            "--region",
            "沈阳",
            "--as",
            "ent",
        ]
        changed = payload(cli(*args, "--json"))
        assert (changed["title"], changed["budget"], changed["region_code"]) == ("工艺需求（新）", None, "2101")
        assert changed["visibility"] == "owner"  # not given, not changed
        assert events(settings)[-1] == ("demand", seed.private_demand_id, "update")

    def test_close_closes_a_demand(self, cli: Any, seed: Seed) -> None:
        closed = payload(cli("demands", "close", str(seed.public_demand_id), "--as", "officer", "--json"))
        assert closed["status"] == "closed"

    def test_an_achievement_update_replaces_lists_and_sets_trl(self, cli: Any, seed: Seed) -> None:
        args = ["achievements", "update", str(seed.private_achievement_id), "--trl", "7", "--field", "机器视觉"]
        changed = payload(cli(*args, "--keyword", "检测、视觉", "--as", "ent", "--json"))
        assert (changed["trl"], changed["field_tags"], changed["keywords"]) == (7, ["机器视觉"], ["检测", "视觉"])


class TestShowInTheUsersLanguage:
    def test_chinese(self, cli: Any, seed: Seed) -> None:
        code, out, _ = cli("demands", "show", str(seed.public_demand_id), lang="zh")
        assert code == 0
        lines = out.splitlines()
        assert lines[0] == f"技术需求 #{seed.public_demand_id}"
        assert "  状态: 征集中" in lines
        assert "  所在地区: 沈阳市 (2101)" in lines
        assert "  需求企业: 沈阳新松机器人自动化股份有限公司" in lines

    def test_english(self, cli: Any, seed: Seed) -> None:
        code, out, _ = cli("achievements", "show", str(seed.public_achievement_id), lang="en")
        assert code == 0
        lines = out.splitlines()
        assert lines[0] == f"Achievement #{seed.public_achievement_id}"
        assert "  Kind: Patent" in lines
        assert "  Region: Shenyang (2101)" in lines
        assert "  Transfer modes: Licence" in lines

    def test_a_write_says_what_it_did(self, cli: Any, seed: Seed) -> None:
        _, zh, _ = cli("demands", "create", "--title", "新的需求", "--as", "ent", lang="zh")
        _, en, _ = cli("achievements", "update", str(seed.private_achievement_id), "--trl", "3", "--as", "ent")
        assert zh.startswith("已发布技术需求 #")
        assert en.startswith(f"Updated achievement #{seed.private_achievement_id}\n")
        assert "  TRL: 3" in en.splitlines()


REFUSALS = [
    (
        ("demands", "create", "--title", "某需求", "--region", "火星"),
        "--region: ",
        "未找到地区「火星」",
        "no region '火星'",
    ),
    (("achievements", "create", "--title", "某成果", "--trl", "10"), "--trl: ", "不能大于 9", "must be at most 9"),
    (("achievements", "create", "--title", "某成果", "--trl", "高"), "--trl: ", "请输入整数", "must be a whole number"),
    (("achievements", "create", "--title", "某成果", "--price", "-1"), "--price: ", "不能小于 0", "must be at least 0"),
    (("demands", "create", "--title", "某需求", "--deadline", "明年"), "--deadline: ", "YYYY-MM-DD", "YYYY-MM-DD"),
    (
        ("achievements", "create", "--title", "某", "--as", "ent"),
        "--title: ",
        "至少需要 2 个字符",
        "at least 2 characters",
    ),
    (
        ("achievements", "create", "--title", "某成果", "--kind", "robot"),
        "--kind: ",
        "应为以下之一：patent",
        "must be one of: patent",
    ),
    (("demands", "create", "--title", "某需求", "--owner", "无此公司"), "--owner: ", "无此公司", "无此公司"),
    (
        ("achievements", "create", "--title", "某成果", "--owner", "大连理工大学", "--as", "ent"),
        "",
        "只能以本单位名义发布",
        "only publish for your own",
    ),
    (("demands", "create", "--title", "某需求", "--as", "nobody"), "", "用户 nobody 不存在", "no active user 'nobody'"),
]

DEACTIVATED_COMMANDS = [
    ("demands", "create", "--title", "停用用户的需求"),
    ("achievements", "create", "--title", "停用用户的成果"),
    ("challenges", "publish", "--title", "停用用户的榜单", "--goal", "某目标"),
    ("transfers", "case", "create", "--title", "停用用户的案件"),
    ("transfers", "case", "list"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("argv", DEACTIVATED_COMMANDS, ids="-".join)
def test_a_deactivated_user_may_not_act_through_as(
    cli: Any, seed: Seed, session: Session, settings: Settings, argv: tuple[str, ...], lang: str
) -> None:
    """Sign-in refuses a deactivated user; `--as` on every command group refuses them the same way, even an officer
    whose role would otherwise allow the write."""
    make_user(session, "gone", Role.OFFICER).is_active = False
    session.commit()
    before = snapshot(settings)
    code, out, err = cli(*argv, "--as", "gone", lang=lang)
    said = "错误：用户 gone 不存在或已停用\n" if lang == "zh" else "error: no active user 'gone'\n"
    assert (code, out, err) == (1, "", said)
    assert snapshot(settings) == before


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("argv", "option", "zh", "en"), REFUSALS, ids=lambda v: "-".join(v) if isinstance(v, tuple) else None
)
def test_a_refused_write_is_one_line_naming_the_option_and_writes_nothing(
    cli: Any, seed: Seed, settings: Settings, argv: tuple[str, ...], option: str, zh: str, en: str, lang: str
) -> None:
    before = snapshot(settings)
    code, out, err = cli(*argv, lang=lang)
    assert (code, out) == (1, "")
    assert err.startswith(("错误：" if lang == "zh" else "error: ") + option)
    assert (zh if lang == "zh" else en) in err
    assert err.count("\n") == 1
    assert snapshot(settings) == before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_enterprise_user_may_not_change_another_enterprises_record(
    cli: Any, seed: Seed, settings: Settings, lang: str
) -> None:
    mine = payload(cli("achievements", "create", "--title", "本企业的成果", "--as", "ent", "--json"))["id"]
    before = snapshot(settings)
    code, _, err = cli("achievements", "update", str(mine), "--trl", "4", "--as", "ent2", lang=lang)
    said = "错误：只有所有者可以修改此记录\n" if lang == "zh" else "error: only the owner may change this record\n"
    assert (code, err) == (1, said)
    assert snapshot(settings) == before


ACTORS = {"system": (), "officer": ("--as", "officer"), "owner": ("--as", "ent"), "other": ("--as", "ent2")}
READS = {  # record → actors who may read it
    "public": {"system", "officer", "owner", "other"},
    "registered": {"system", "officer", "owner", "other"},
    "private": {"system", "officer", "owner"},
}
EDITS = {
    "public": {"system", "officer"},
    "registered": {"system", "officer"},
    "private": {"system", "officer", "owner"},
}
"""The seeded public and registered achievements have no owner; the private one is ent's."""


def _achievement(seed: Seed, record: str) -> int:
    return {
        "public": seed.public_achievement_id,
        "registered": seed.registered_achievement_id,
        "private": seed.private_achievement_id,
    }[record]


@pytest.mark.parametrize("record", sorted(READS))
@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_role_by_visibility_a_record_the_actor_may_not_read_answers_as_a_missing_id(
    cli: Any, seed: Seed, settings: Settings, actor: str, record: str
) -> None:
    rid = str(_achievement(seed, record))
    shown = cli("achievements", "show", rid, *ACTORS[actor], "--json", lang="zh")
    missing = cli("achievements", "show", "999999", *ACTORS[actor], "--json", lang="zh")
    if actor in READS[record]:
        assert payload(shown)["id"] == int(rid)
    else:
        assert shown == missing == (1, "", "错误：未找到该记录或无权查看\n")
    before = snapshot(settings)
    changed = cli("achievements", "update", rid, "--title", "改过的标题", *ACTORS[actor], "--json", lang="zh")
    if actor in EDITS[record]:
        assert payload(changed)["title"] == "改过的标题"
        return
    assert snapshot(settings) == before
    if actor in READS[record]:
        assert changed == (1, "", "错误：只有所有者可以修改此记录\n")
    else:
        assert changed == cli("achievements", "update", "999999", "--title", "改过的标题", *ACTORS[actor], lang="zh")


def test_a_missing_demand_id_is_one_line(cli: Any, seed: Seed) -> None:
    assert cli("demands", "show", "999999") == (1, "", "error: demands 999999 not found\n")
    assert cli("demands", "close", "999999", lang="zh") == (1, "", "错误：未找到该记录或无权查看\n")
