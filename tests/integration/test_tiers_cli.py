"""`techbridge tiers …` and `techbridge data check` through the Typer app on a real database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import Result
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.cli.context import EXIT_PARTIAL
from techbridge.config import Settings, get_settings
from techbridge.db import session_scope
from techbridge.models import EnterpriseFact, Organization, Region

HNTE_READY = {
    "founded_on": "2020-01-01",
    "ip_class1": 1,
    "in_hnte_field": True,
    "employees": 100,
    "st_staff": 10,
    "revenue_history": [4000, 4500, 5000],
    "rd_expense_history": [200, 225, 250],
    "rd_domestic_share": 0.6,
    "hightech_revenue": 3000,
    "hnte_innovation_score": 71,
    "no_major_incident": True,
}


def invoke(settings: Settings, *args: str, stdin: str | None = None, lang: str = "en") -> Result:
    """Run the CLI against the test database, its messages in `lang`."""
    get_settings.cache_clear()
    env = {"TECHBRIDGE_DATABASE_URL": settings.database_url, "TECHBRIDGE_LANG": lang}
    return CliRunner().invoke(app, list(args), input=stdin, env=env)


def lines(result: Result) -> list[dict[str, Any]]:
    """The JSON Lines of stdout."""
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def add_enterprise(session: Session, name: str, credit_code: str, region: str | None = None, **extra: Any) -> int:
    """A registry enterprise; returns its id."""
    org = Organization(kind="enterprise", name=name, normalized_name=name, credit_code=credit_code, region_code=region)
    org.extra = extra
    session.add(org)
    session.flush()
    return org.id


MIXED_LINES = [
    json.dumps({"id": "ok", "facts": HNTE_READY}),
    "{not json",
    json.dumps({"id": "typed", "facts": {"employees": "many"}}),
    "",
    json.dumps({"id": "unknown-fact", "facts": {"turnover": 1}}),
    json.dumps({"id": "empty", "facts": {}}),
]
"""Two good lines, three bad ones (JSON, a wrong type, an unknown fact) and a blank one, which is not a line read."""


class TestEvaluate:
    def test_every_line_gets_a_result_and_bad_lines_do_not_stop_the_rest(
        self, settings: Settings, tmp_path: Path
    ) -> None:
        path = tmp_path / "in.jsonl"
        path.write_text("\n".join(MIXED_LINES) + "\n", encoding="utf-8")
        result = invoke(settings, "tiers", "evaluate", "--input", str(path), "--as-of", "2025-06-30", "--json")
        assert result.exit_code == EXIT_PARTIAL == 3  # completed with errors: a script can tell
        out = lines(result)
        assert [o.get("id") for o in out] == ["ok", None, "typed", "unknown-fact", "empty"]
        assert [o.get("line") for o in out[1:4]] == [2, 3, 5]
        hnte = next(r for r in out[0]["results"] if r["policy"] == "hnte")
        assert hnte["verdict"] == "eligible"
        assert hnte["version"] == "2016"
        assert {r["policy"] for r in out[-1]["results"]} >= {"hnte", "tech_sme", "ln_eaglet"}
        assert all(r["verdict"] == "unknown" for r in out[-1]["results"])
        assert result.stderr.splitlines() == [
            "line 2: malformed JSON at column 2: Expecting property name enclosed in double quotes",
            "line 3: employees: expected a number",
            "line 5: unknown fact id 'turnover'",
            "3 of 5 lines could not be read; the others' results were printed (exit status 3)",
        ]

    def test_bad_lines_are_named_in_chinese_for_a_chinese_user(self, settings: Settings) -> None:
        stdin = "\n".join(MIXED_LINES) + "\n"
        result = invoke(settings, "tiers", "evaluate", "--input", "-", "--as-of", "2025-06-30", stdin=stdin, lang="zh")
        assert result.exit_code == EXIT_PARTIAL
        assert result.stderr.splitlines() == [
            "第 2 行：JSON 格式错误（第 2 列）",
            "第 3 行：employees：应为数字",
            "第 5 行：未知的事实标识 'turnover'",
            "5 行中有 3 行无法读取，其余结果已输出（退出码 3）",
        ]
        assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["ok", "empty"]

    def test_a_clean_batch_exits_0(self, settings: Settings) -> None:
        stdin = json.dumps({"id": "ok", "facts": HNTE_READY}) + "\n\n"
        result = invoke(settings, "tiers", "evaluate", "--input", "-", "--as-of", "2025-06-30", stdin=stdin)
        assert (result.exit_code, result.stderr) == (0, "")

    def test_facts_that_are_not_an_object_are_an_error_naming_facts(self, settings: Settings) -> None:
        stdin = json.dumps({"id": "list", "facts": []}) + "\n" + json.dumps({"id": "null", "facts": None}) + "\n"
        result = invoke(settings, "tiers", "evaluate", "--input", "-", "--as-of", "2025-06-30", stdin=stdin)
        assert result.exit_code == EXIT_PARTIAL
        assert result.stderr.splitlines()[0] == "line 1: facts: expected an object"
        assert result.stdout.splitlines()[0].startswith("null\t")

    def test_reads_stdin(self, settings: Settings) -> None:
        stdin = json.dumps({"id": "s", "facts": {"founded_on": "2014-06-30", "eaglet_panel_pass": True}}) + "\n"
        result = invoke(settings, "tiers", "evaluate", "--input", "-", "--as-of", "2025-06-30", "--json", stdin=stdin)
        (out,) = lines(result)
        eaglet = next(r for r in out["results"] if r["policy"] == "ln_eaglet")
        assert eaglet["verdict"] == "ineligible"
        assert eaglet["gaps"][0]["text"]["zh"]

    def test_version_switch_on_2026_04_01(self, settings: Settings) -> None:
        stdin = json.dumps({"id": "v", "facts": {}}) + "\n"
        before = lines(
            invoke(settings, "tiers", "evaluate", "--input", "-", "--as-of", "2026-03-31", "--json", stdin=stdin)
        )
        after = lines(
            invoke(settings, "tiers", "evaluate", "--input", "-", "--as-of", "2026-04-01", "--json", stdin=stdin)
        )
        versions = {r["policy"]: r["version"] for r in before[0]["results"]}
        assert versions["zjtx_sme"] == "2022"
        assert versions["little_giant"] == "2022"
        assert {r["policy"]: r["version"] for r in after[0]["results"]}["little_giant"] == "2026"

    def test_unreadable_file_exits_1(self, settings: Settings, tmp_path: Path) -> None:
        """Nothing evaluated: the failure status, not the 3 of a batch that completed with errors."""
        result = invoke(settings, "tiers", "evaluate", "--input", str(tmp_path / "missing.jsonl"), "--json")
        assert result.exit_code == 1
        assert result.stdout == ""


class TestPoolsAndFacts:
    def test_import_then_pools(self, settings: Settings, tmp_path: Path) -> None:
        with session_scope(settings.database_url) as session:
            session.add(Region(code="210100", name="沈阳市", level="city"))
            session.flush()
            ready = add_enterprise(session, "甲科技", "91210100000000001A", "210100", clusters=["集成电路"])
            add_enterprise(session, "乙科技", "91210100000000002B", "210100")
        path = tmp_path / "facts.csv"
        header = "enterprise,fact,value,year,source\n"
        body = "".join(
            f'91210100000000001A,{fact},"{json.dumps(value) if isinstance(value, list) else value}",,annual report\n'
            for fact, value in HNTE_READY.items()
        )
        body += "91210100000000002B,revenue_history,3000,2023,tax\n91210100000000002B,revenue_history,3500,2024,tax\n"
        path.write_text(header + body, encoding="utf-8")
        result = invoke(settings, "tiers", "facts", "import", str(path), "--json")
        assert result.exit_code == 0, result.output
        with session_scope(settings.database_url) as session:
            series = session.query(EnterpriseFact).filter_by(fact="revenue_history", year=2024).one()
            assert series.value == [3000, 3500]
        assert json.loads(result.stdout)["pools"] == "refreshed"
        result = invoke(settings, "tiers", "pools", "refresh", "--as-of", "2025-06-30")
        assert result.exit_code == 0, result.output
        assert "2 enterprises evaluated as of 2025-06-30" in result.stdout
        result = invoke(settings, "tiers", "pools", "--policy", "hnte", "--region", "210100", "--json")
        assert result.exit_code == 0, result.output
        pool = json.loads(result.stdout)
        assert {key: pool[key] for key in ("policy", "total", "by_verdict")} == {
            "policy": "hnte",
            "total": 2,
            "by_verdict": {"eligible": 1, "near_miss": 0, "ineligible": 0, "unknown": 1},
        }
        assert [(org["id"], org["verdict"]) for org in pool["items"]] == [(ready, "eligible"), (ready + 1, "unknown")]
        assert "hnte_innovation_score" in pool["items"][1]["missing_facts"]
        elsewhere = invoke(settings, "tiers", "pools", "--policy", "hnte", "--region", "2102", "--json")
        assert json.loads(elsewhere.stdout)["total"] == 0
        again = invoke(settings, "tiers", "pools", "refresh", "--as-of", "2025-06-30")
        assert "0 enterprises evaluated" in again.stdout

    def test_unknown_policy_is_an_error(self, settings: Settings) -> None:
        result = invoke(settings, "tiers", "pools", "--policy", "hnte2", "--json")
        assert result.exit_code != 0
        assert "hnte2" in str(result.exception)

    def test_a_bad_row_rejects_the_whole_file(self, settings: Settings, tmp_path: Path) -> None:
        with session_scope(settings.database_url) as session:
            add_enterprise(session, "丙科技", "91210100000000003C")
        path = tmp_path / "facts.csv"
        path.write_text(
            "enterprise,fact,value,year,source\n91210100000000003C,ip_class1,2,,x\n91210100000000003C,ip_class2,two,,x\n",
            encoding="utf-8",
        )
        result = invoke(settings, "tiers", "facts", "import", str(path))
        assert result.exit_code != 0
        assert "row 3" in str(result.exception)
        with session_scope(settings.database_url) as session:
            assert session.query(EnterpriseFact).count() == 0


class TestDataCheck:
    def test_shipped_data_loads(self, settings: Settings) -> None:
        result = invoke(settings, "data", "check", "--json")
        assert result.exit_code == 0
        assert len(json.loads(result.stdout)["policies"]) == 11

    def test_it_checks_the_regions_english_names(self, settings: Settings) -> None:
        names = json.loads(invoke(settings, "data", "check", "--json").stdout)["region_names"]
        assert names["names_en.csv"] == 374
        assert names["counties_en.csv"] == 2978
        assert names["counties_en_overrides.csv"] > 0
        assert invoke(settings, "data", "check").stdout.endswith(", 3352 region names\n")

    def test_a_bad_operator_names_file_and_field(self, settings: Settings, tmp_path: Path) -> None:
        (tmp_path / "mine.yaml").write_text(
            "id: x\ntitle: {zh: 甲, en: x}\nissuer: i\ndocument: d\nsource_url: u\neffective_from: 2024-01-01\n"
            "ladder: {rank: 1}\ncriteria: {id: r, label: {zh: 甲, en: r}, all: "
            "[{id: a, label: {zh: 甲, en: a}, left: {fact: employees}, op: gte, value: 1}]}\n",
            encoding="utf-8",
        )
        result = invoke(settings, "data", "check", "--policies", str(tmp_path))
        assert result.exit_code != 0
        assert "mine.yaml:criteria.all[0].op" in str(result.exception)


class TestImportFormats:
    def test_xlsx_and_jsonl_rows(self, settings: Settings, tmp_path: Path) -> None:
        from openpyxl import Workbook

        with session_scope(settings.database_url) as session:
            org_id = add_enterprise(session, "丁科技", "91210100000000004D")
        book = Workbook()
        sheet = book.active
        sheet.append(["Credit_Code", "Fact", "Value", "Year", "Source"])
        sheet.append(["91210100000000004D", "rd_expense_history", 120, 2024, "audit"])
        sheet.append(["91210100000000004D", "rd_expense_history", 100, 2022, "audit"])
        sheet.append(["91210100000000004D", "in_hnte_field", "是", None, "review"])
        book.save(tmp_path / "facts.xlsx")
        assert invoke(settings, "tiers", "facts", "import", str(tmp_path / "facts.xlsx")).exit_code == 0
        (tmp_path / "facts.jsonl").write_text(
            json.dumps({"enterprise_id": org_id, "fact": "titles", "value": ["hnte"], "source": "MOST"}) + "\n",
            encoding="utf-8",
        )
        assert invoke(settings, "tiers", "facts", "import", str(tmp_path / "facts.jsonl")).exit_code == 0
        with session_scope(settings.database_url) as session:
            rows = {row.fact: row for row in session.query(EnterpriseFact).filter_by(organization_id=org_id)}
        assert (rows["rd_expense_history"].value, rows["rd_expense_history"].year) == ([100, None, 120], 2024)
        assert rows["in_hnte_field"].value is True
        assert rows["titles"].value == ["hnte"]
        assert rows["titles"].source == "MOST"
