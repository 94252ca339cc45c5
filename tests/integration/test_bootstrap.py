"""`techbridge demo load`: idempotent accounts, honest behaviour without data, demo contracts labelled, the search
index built when missing, stale or of an older token format."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from techbridge.bootstrap import BootstrapReport, build_search_index, ensure_demo_accounts, load_shared_data
from techbridge.cli.app import app
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.sample import DataOrigin, DataSource, data_origin
from techbridge.models import Achievement, Expert, ImportRun, OfficialStatistic, Region, User
from techbridge.search.index import current_version
from techbridge.search.lexical import INDEX_FORMAT
from techbridge.web.app import create_app


class TestDemoAccounts:
    def test_accounts_are_created_once_with_passwords_on_file(self, settings: Settings) -> None:
        dev = settings.model_copy(update={"env": "dev"})
        path = ensure_demo_accounts(dev, BootstrapReport())
        assert path is not None
        first = path.read_text(encoding="utf-8")
        assert first.count("\n") == 5
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        ensure_demo_accounts(dev, BootstrapReport())
        assert path.read_text(encoding="utf-8") == first
        with session_scope(settings.database_url) as session:
            assert session.scalar(select(func.count()).select_from(User)) == 5

    def test_no_demo_accounts_outside_dev(self, settings: Settings) -> None:
        assert ensure_demo_accounts(settings, BootstrapReport()) is None


class TestSharedData:
    def test_missing_data_dir_loads_the_bundled_sample_once(self, settings: Settings, tmp_path: Path) -> None:
        local = settings.model_copy(update={"data_dir": tmp_path / "absent"})
        report = BootstrapReport()
        load_shared_data(local, report)
        assert report.lines[0].startswith(f"data: {tmp_path / 'absent'} not found, loading the bundled sample")
        imported = {line.split()[1] for line in report.lines[1:]}
        assert {"admin_divisions", "ipc", "csl", "kag", "nsfc", "tech_market"} <= imported
        with session_scope(settings.database_url) as session:
            assert session.scalar(select(func.count()).select_from(Achievement)) == 2000
            assert session.scalar(select(func.count()).select_from(Expert)) == 553
            liaoning = select(func.count()).select_from(OfficialStatistic).where(OfficialStatistic.region_code == "21")
            assert (session.scalar(liaoning) or 0) > 0
            assert session.scalar(select(func.count()).select_from(Region).where(Region.code == "2102")) == 1
            assert data_origin(session).origin is DataOrigin.SAMPLE
        again = BootstrapReport()
        load_shared_data(local, again)
        assert all("already imported" in line for line in again.lines[1:])
        home = TestClient(create_app(local)).get("/")
        origin = home.text.split('id="data-origin">', 1)[1].split("</p>", 1)[0]
        assert "随软件附带的公开数据样例" in origin
        assert "数据导入" in origin

    def test_home_names_the_shared_folder_when_it_was_imported(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            session.add(ImportRun(source="csl", path="../shared/data/csl/derived/x.jsonl", counts={}))
        with session_scope(settings.database_url) as session:
            assert data_origin(session) == DataSource(DataOrigin.SHARED, "../shared/data/csl/derived")
        home = TestClient(create_app(settings)).get("/?lang=en")
        assert "the shared public data folder ../shared/data/csl/derived" in home.text

    def test_users_files_are_not_the_data_folder_and_do_not_hang_the_home_page(self, settings: Settings) -> None:
        # an upload records a bare file name; walking up from an absolute folder to it never ended (every home
        # page request spun forever) and would have shown the user's file name to every visitor
        with session_scope(settings.database_url) as session:
            session.add(ImportRun(source="csl", path="/srv/shared/data/csl/derived/x.jsonl", counts={}))
            session.add(ImportRun(source="ickg", path="/srv/shared/data/ickg/derived/y.jsonl", counts={}))
            session.add(ImportRun(source="file:expert", path="my-experts.csv", counts={}))
        with session_scope(settings.database_url) as session:
            assert data_origin(session) == DataSource(DataOrigin.SHARED, "/srv/shared/data")
        home = TestClient(create_app(settings)).get("/?lang=en")
        assert "the shared public data folder /srv/shared/data " in home.text
        assert "my-experts" not in home.text

    def test_built_in_imports_from_two_configurations_name_the_larger_group(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            session.add(ImportRun(source="csl", path="../shared/data/csl/derived/x.jsonl", counts={}))
            session.add(ImportRun(source="ickg", path="/srv/shared/data/ickg/derived/y.jsonl", counts={}))
            session.add(ImportRun(source="kag", path="/srv/shared/data/kag/z.jsonl", counts={}))
        with session_scope(settings.database_url) as session:
            assert data_origin(session) == DataSource(DataOrigin.SHARED, "/srv/shared/data")

    def test_empty_registry_says_so(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            assert data_origin(session).origin is DataOrigin.NONE
        assert "登记库尚无数据" in TestClient(create_app(settings)).get("/").text


class TestCommand:
    def test_demo_load_runs_without_data(self, settings: Settings, tmp_path: Path) -> None:
        local = settings.model_copy(update={"data_dir": tmp_path / "absent", "env": "dev", "demo_data": False})
        result = CliRunner().invoke(app, ["demo", "load"], obj=local)
        assert result.exit_code == 0, result.output
        assert "loading the bundled sample" in result.output
        assert "accounts: 5 created" in result.output


class TestSearchIndex:
    def test_built_once_then_current_and_rebuilt_when_its_token_format_is_older(self, settings: Settings) -> None:
        first = BootstrapReport()
        build_search_index(settings, first)
        built = current_version(settings.index_dir, "lexical")
        assert built is not None
        assert built.format == INDEX_FORMAT
        again = BootstrapReport()
        build_search_index(settings, again)
        assert again.lines == [f"search: lexical index {built.version} is current"]
        meta = built.path / "meta.json"
        meta.write_text(json.dumps({**json.loads(meta.read_text()), "format": INDEX_FORMAT - 1}), encoding="utf-8")
        build_search_index(settings, BootstrapReport())
        rebuilt = current_version(settings.index_dir, "lexical")
        assert rebuilt is not None
        assert rebuilt.version != built.version
        assert rebuilt.format == INDEX_FORMAT
