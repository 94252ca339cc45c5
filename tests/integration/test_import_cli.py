"""`techbridge import …` through the CLI: user files all-or-nothing, templates, and a killed import."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from techbridge.accounts.service import create_user
from techbridge.cli.app import app
from techbridge.config import Settings, get_settings
from techbridge.db import session_scope
from techbridge.errors import InvalidDataError, NotFoundError
from techbridge.imports.spreadsheet import import_spreadsheet
from techbridge.models import Achievement, ImportRun, Organization, Role, User
from tests.conftest import requires_shared_data

GOOD = "编号,成果名称,成果类型,技术就绪度,所在地区代码\nA1,一种储能电池,专利,5,\nA2,一种催化剂,论文,3,\n"
BAD = "编号,成果名称,成果类型,技术就绪度,所在地区代码\nA1,一种储能电池,专利,5,\nA2,,发明,12,\n"


def invoke(settings: Settings, *args: str) -> tuple[int, str, str]:
    get_settings.cache_clear()
    env = {
        "TECHBRIDGE_DATABASE_URL": settings.database_url,
        "TECHBRIDGE_VAR_DIR": str(settings.var_dir),
        "TECHBRIDGE_LANG": "en",
    }
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def achievements(settings: Settings) -> int:
    with session_scope(settings.database_url) as session:
        return int(session.scalar(select(func.count()).select_from(Achievement)) or 0)


class TestImportFile:
    def test_good_file_is_imported_once(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "good.csv"
        path.write_text(GOOD, encoding="utf-8-sig")
        code, out, _err = invoke(settings, "import", "file", "achievement", str(path), "--json", "-q")
        assert code == 0
        assert json.loads(out)["counts"]["achievement.inserted"] == 2
        invoke(settings, "import", "file", "achievement", str(path), "-q")
        assert achievements(settings) == 2

    def test_bad_file_writes_nothing_and_lists_every_error(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "bad.csv"
        path.write_bytes(BAD.encode("gbk"))
        code, _out, err = invoke(settings, "import", "file", "achievement", str(path), "-q")
        assert code == 1
        assert "bad.csv, row 3, column 成果名称: missing required field" in err
        assert "row 3, column 成果类型: unknown code" in err
        assert "row 3, column 技术就绪度: out of range: 12 must be between 1 and 9" in err
        assert achievements(settings) == 0
        with session_scope(settings.database_url) as session:
            assert session.scalar(select(func.count()).select_from(ImportRun)) == 0

    def test_visibility_is_given_to_every_record_and_checked(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "good.csv"
        path.write_text(GOOD, encoding="utf-8")
        assert invoke(settings, "import", "file", "achievement", str(path), "--visibility", "registered", "-q")[0] == 0
        with session_scope(settings.database_url) as session:
            assert set(session.scalars(select(Achievement.visibility))) == {"registered"}
        get_settings.cache_clear()
        with pytest.raises(InvalidDataError, match="unknown visibility 'secret'"):
            import_spreadsheet(settings, "achievement", path, show_progress=False, visibility="secret")
        with pytest.raises(InvalidDataError, match="always public"):
            import_spreadsheet(settings, "organization", path, show_progress=False, visibility="owner")

    def test_bad_credit_code_in_organizations(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "orgs.csv"
        path.write_text("编号,名称,机构类型,统一社会信用代码\nO1,示例科技有限公司,企业,91110000802100433C\n", "utf-8")
        code, _out, err = invoke(settings, "import", "file", "organization", str(path), "-q")
        assert code == 1
        assert "row 2, column 统一社会信用代码: bad unified social credit code" in err

    def test_custom_mapping_renames_columns(self, settings: Settings, tmp_path: Path) -> None:
        mapping = tmp_path / "m.yaml"
        mapping.write_text(
            "entity: expert\nkey: source_key\nfields:\n"
            "  - {field: source_key, column: ID, required: true}\n"
            "  - {field: name, column: Full name, required: true}\n"
            "  - {field: fields, column: Topics, type: list}\n",
            "utf-8",
        )
        path = tmp_path / "experts.jsonl"
        path.write_text(json.dumps({"ID": "e1", "Full name": "张三", "Topics": "冶金;材料"}, ensure_ascii=False) + "\n")
        code, _out, err = invoke(settings, "import", "file", "expert", str(path), "--mapping", str(mapping), "-q")
        assert code == 0, err

    def test_entity_aliases_fix_the_kind(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "enterprises.csv"
        path.write_text(
            "编号,名称,统一社会信用代码,所在地区代码\nE1,大连示例科技有限公司,914403001922038216,\n", "utf-8"
        )
        code, _out, err = invoke(settings, "import", "file", "enterprise", str(path), "-q")
        assert code == 0, err
        with session_scope(settings.database_url) as session:
            org = session.scalars(select(Organization)).one()
            assert (org.kind, org.credit_code, org.province_code) == ("enterprise", "914403001922038216", None)


def add_user(settings: Settings, username: str, role: Role) -> None:
    with session_scope(settings.database_url) as session:
        create_user(session=session, username=username, password="correct-horse", role=role)


class TestImportFileAsUser:
    def test_organizations_as_an_enterprise_user_are_refused(self, settings: Settings, tmp_path: Path) -> None:
        add_user(settings, "alice", Role.ENTERPRISE)
        path = tmp_path / "orgs.csv"
        path.write_text("编号,名称,机构类型\nO1,示例科技有限公司,企业\n", "utf-8")
        code, _out, err = invoke(settings, "import", "file", "organization", str(path), "--as", "alice", "-q")
        assert code == 1
        assert "orgs.csv, row 2, column 名称: only officers and admins may add organizations" in err
        add_user(settings, "officer", Role.OFFICER)
        assert invoke(settings, "import", "file", "organization", str(path), "--as", "officer", "-q")[0] == 0

    def test_a_key_of_the_operators_dataset_is_refused_to_a_user(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "good.csv"
        path.write_text(GOOD, encoding="utf-8")
        assert invoke(settings, "import", "file", "achievement", str(path), "-q")[0] == 0
        add_user(settings, "bob", Role.ENTERPRISE)
        path.write_text(GOOD.replace("一种储能电池", "被改写的标题"), encoding="utf-8")
        args = ("import", "file", "achievement", str(path), "--as", "bob", "--dataset", "file:good.csv", "-q")
        code, _out, err = invoke(settings, *args)
        assert code == 1
        assert "row 2, column 编号: this key belongs to another owner's record: A1" in err
        with session_scope(settings.database_url) as session:
            assert set(session.scalars(select(Achievement.title))) == {"一种储能电池", "一种催化剂"}
            assert set(session.scalars(select(Achievement.owner_id))) == {None}

    def test_records_imported_as_a_user_are_theirs(self, settings: Settings, tmp_path: Path) -> None:
        add_user(settings, "bob", Role.BROKER)
        path = tmp_path / "good.csv"
        path.write_text(GOOD, encoding="utf-8")
        assert invoke(settings, "import", "file", "achievement", str(path), "--as", "bob", "-q")[0] == 0
        with session_scope(settings.database_url) as session:
            owner = session.scalars(select(User.id).where(User.username == "bob")).one()
            assert set(session.execute(select(Achievement.owner_id, Achievement.source_dataset))) == {
                (owner, f"file:u{owner}:good.csv")
            }

    def test_unknown_user_is_an_error(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "good.csv"
        path.write_text(GOOD, encoding="utf-8")
        get_settings.cache_clear()
        env = {"TECHBRIDGE_DATABASE_URL": settings.database_url, "TECHBRIDGE_VAR_DIR": str(settings.var_dir)}
        result = CliRunner().invoke(app, ["import", "file", "achievement", str(path), "--as", "nobody", "-q"], env=env)
        assert isinstance(result.exception, NotFoundError)  # main() prints it as one stderr line, exit 1
        assert "nobody" in str(result.exception)
        assert achievements(settings) == 0


class TestTemplate:
    def test_prints_csv_template(self, settings: Settings) -> None:
        code, out, _err = invoke(settings, "import", "template", "demand")
        assert code == 0
        assert out.splitlines()[0].startswith("编号,需求名称")

    def test_writes_xlsx(self, settings: Settings, tmp_path: Path) -> None:
        target = tmp_path / "t.xlsx"
        assert invoke(settings, "import", "template", "expert", "-o", str(target))[0] == 0
        assert target.read_bytes()[:2] == b"PK"


class TestSources:
    def test_unknown_source_is_a_usage_error(self, settings: Settings) -> None:
        assert invoke(settings, "import", "nonsense")[0] != 0

    def test_a_file_of_another_layout_is_one_clear_error(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "chain_kg"
        (path / "raw").mkdir(parents=True)
        (path / "raw" / "company.json").write_text('{"unexpected": 1}\n', encoding="utf-8")
        get_settings.cache_clear()
        from techbridge.imports.service import import_source

        with pytest.raises(InvalidDataError, match="not the layout of the chain_kg source"):
            import_source(settings, "chain_kg", path, show_progress=False)

    @requires_shared_data
    def test_source_with_json_summary(self, settings: Settings) -> None:
        code, out, _err = invoke(settings, "import", "sei2018", "--json", "-q")
        assert code == 0
        assert json.loads(out)["counts"]["code.sei2018.inserted"] == 49


def big_csv(path: Path, rows: int) -> None:
    lines = ["编号,成果名称,成果类型,摘要,关键词"]
    lines += [f"K{i},一种用于第{i}号装置的控制方法,专利,{'摘要' * 40},控制;装置" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class TestKilledImport:
    def test_sigkill_mid_import_leaves_the_database_as_it_was(self, settings: Settings, tmp_path: Path) -> None:
        if not settings.database_url.startswith("sqlite"):
            pytest.skip("watches SQLite's write-ahead log to kill the import mid-write")
        path = tmp_path / "big.csv"
        big_csv(path, 80_000)
        db_file = Path(settings.database_url.removeprefix("sqlite:///"))
        env = {**os.environ, "TECHBRIDGE_DATABASE_URL": settings.database_url, "TECHBRIDGE_VAR_DIR": str(tmp_path)}
        code = (
            "import sys; from pathlib import Path; from techbridge.config import get_settings;"
            "from techbridge.imports.spreadsheet import import_spreadsheet;"
            "import_spreadsheet(get_settings(), 'achievement', Path(sys.argv[1]), show_progress=False)"
        )
        args = [sys.executable, "-c", code, str(path)]
        process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wal = db_file.with_name(db_file.name + "-wal")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if wal.exists() and wal.stat().st_size > 100_000:  # rows are being written
                break
            time.sleep(0.05)
        assert process.poll() is None, "the import finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert achievements(settings) == 0
        with session_scope(settings.database_url) as session:
            assert session.scalar(select(func.count()).select_from(ImportRun)) == 0
