"""`techbridge metrics local-conversion|turnover --contracts FILE --json` against hand-computed answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.cli.context import EXIT_PARTIAL
from techbridge.config import Settings, get_settings

DATA = Path(__file__).resolve().parents[1] / "data" / "contracts"
BASIC = str(DATA / "basic.csv")


def run(settings: Settings, *args: str) -> tuple[int, dict[str, object], str]:
    get_settings.cache_clear()
    runner = CliRunner()
    env = {"TECHBRIDGE_DATABASE_URL": settings.database_url, "TECHBRIDGE_LANG": "en"}
    result = runner.invoke(app, list(args), env=env, catch_exceptions=False)
    printed = result.exit_code in (0, EXIT_PARTIAL) and result.stdout.strip()
    payload = json.loads(result.stdout) if printed else {}
    return result.exit_code, payload, result.stderr


class TestLocalConversion:
    @pytest.mark.parametrize(
        ("options", "rate", "numerator", "denominator"),
        [
            (["--region", "21", "--basis", "value", "--scope", "province"], 210 / 435.5, 210, 435.5),
            (["--region", "21", "--basis", "count", "--scope", "province"], 0.6, 3, 5),
            (["--region", "210102", "--basis", "value", "--scope", "city"], 160 / 360, 160, 360),
            (["--region", "2102", "--basis", "count", "--scope", "city"], 0.0, 0, 2),
            (
                ["--region", "21", "--basis", "value", "--scope", "province", "--amount", "technology_income"],
                130 / 305.5,
                130,
                305.5,
            ),
            (
                [
                    "--region",
                    "21",
                    "--basis",
                    "value",
                    "--scope",
                    "province",
                    "--from",
                    "2024-01-01",
                    "--to",
                    "2024-06-30",
                ],
                150 / 350,
                150,
                350,
            ),
            (
                ["--region", "21", "--basis", "value", "--scope", "province", "--sellers", "university"],
                100 / 325.5,
                100,
                325.5,
            ),
            (["--region", "21", "--basis", "count", "--scope", "province", "--type", "transfer,license"], 1 / 3, 1, 3),
            (["--region", "21", "--basis", "count", "--scope", "province", "--type", "transfer"], 1 / 3, 1, 3),
            (
                ["--region", "21", "--basis", "value", "--scope", "province", "--field", "新材料"],
                100 / 325.5,
                100,
                325.5,
            ),
        ],
    )
    def test_file_mode_matches_hand_computation(
        self, settings: Settings, options: list[str], rate: float, numerator: float, denominator: float
    ) -> None:
        code, payload, _ = run(settings, "metrics", "local-conversion", "--contracts", BASIC, *options, "--json")
        assert code == 0
        assert payload["rate"] == pytest.approx(rate, abs=1e-9)
        assert payload["numerator"] == pytest.approx(numerator)
        assert payload["denominator"] == pytest.approx(denominator)
        assert isinstance(payload["definition"], str)

    def test_zero_denominator_gives_null_rate(self, settings: Settings) -> None:
        code, payload, _ = run(
            settings,
            "metrics",
            "local-conversion",
            "--contracts",
            BASIC,
            "--region",
            "31",
            "--basis",
            "value",
            "--scope",
            "province",
            "--json",
        )
        assert (code, payload["rate"], payload["denominator"]) == (0, None, 0)
        assert "null" in str(payload["definition"])

    def test_broken_rows_are_reported_on_stderr_and_left_out_with_exit_3(self, settings: Settings) -> None:
        """The figures of the good rows are printed, and the exit status says some rows were rejected."""
        code, payload, stderr = run(
            settings,
            "metrics",
            "local-conversion",
            "--contracts",
            str(DATA / "broken.csv"),
            "--region",
            "21",
            "--basis",
            "value",
            "--scope",
            "province",
            "--json",
        )
        assert code == EXIT_PARTIAL == 3
        assert (payload["numerator"], payload["denominator"], payload["rejected_rows"]) == (100, 1100, 6)
        assert "row 3, contract_value" in stderr
        assert "row 9, seller_kind" in stderr
        assert stderr.splitlines()[-1].startswith("6 of ")

    def test_turnover_of_broken_rows_exits_3_after_its_tables(self, settings: Settings) -> None:
        args = ["metrics", "turnover", "--contracts", str(DATA / "broken.csv"), "--region", "21", "--by", "type"]
        code, payload, stderr = run(settings, *args, "--json")
        assert (code, payload["rejected_rows"]) == (EXIT_PARTIAL, 6)
        assert payload["groups"]["type"]
        assert "row 3, contract_value" in stderr

    def test_a_foreign_buyer_is_in_the_denominator_only_and_counted(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "foreign.csv"
        path.write_text(
            (DATA / "basic.csv").read_text(encoding="utf-8")
            + "F1,development,东北大学,,210102,university,Siemens AG,,,100,80,2024-03-01,2024-03-15,新材料,\n",
            encoding="utf-8",
        )
        code, payload, _ = run(
            settings, "metrics", "local-conversion", "--contracts", str(path), "--region", "21", "--json"
        )
        assert code == 0
        assert (payload["numerator"], payload["denominator"], payload["rejected_rows"]) == (210, 535.5, 0)
        assert payload["unlocated_buyers"] == 1
        assert "counted 1 such contracts" in str(payload["definition"])

    @pytest.mark.parametrize(
        ("region", "numerator", "denominator"),
        [
            ("429004", 0, 1),  # 仙桃 → 潜江: two cities directly under Hubei, not one city 4290
            ("500103", 2, 2),  # 渝中区 → 城口县 (5002) and → 重庆 at municipality level: all 重庆市
            ("110108", 1, 1),  # 海淀区 → a Beijing buyer registered at municipality level (110000)
        ],
    )
    def test_city_scope_means_the_same_city_where_4_digits_do_not_name_it(
        self, settings: Settings, tmp_path: Path, region: str, numerator: int, denominator: int
    ) -> None:
        path = tmp_path / "cities.csv"
        path.write_text(
            "contract_id,type,seller_name,seller_region_code,seller_kind,buyer_name,buyer_region_code,"
            "contract_value,registered_on\n"
            "H1,development,仙桃某学院,429004,university,潜江某公司,429005,10,2024-03-15\n"
            "Q1,development,重庆某大学,500103,university,城口某公司,500229,20,2024-03-15\n"
            "Q2,development,重庆某大学,500103,university,重庆某公司,500000,30,2024-03-15\n"
            "B1,development,北京某大学,110108,university,北京某公司,110000,40,2024-03-15\n",
            encoding="utf-8",
        )
        for source in (["--contracts", str(path)], []):
            if not source:
                assert run(settings, "transfers", "contracts", "import", str(path))[0] == 0
            code, payload, _ = run(
                settings,
                "metrics",
                "local-conversion",
                *source,
                "--region",
                region,
                "--scope",
                "city",
                "--basis",
                "count",
                "--json",
            )
            assert code == 0
            assert (payload["numerator"], payload["denominator"]) == (numerator, denominator), source

    def test_a_late_registration_is_a_warning_not_a_rejection(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "late.csv"
        path.write_text(
            (DATA / "basic.csv").read_text(encoding="utf-8")
            + "L1,development,东北大学,,210102,university,沈阳甲,,210103,100,80,2024-01-01,2024-03-15,新材料,\n",
            encoding="utf-8",
        )
        code, payload, stderr = run(
            settings, "metrics", "local-conversion", "--contracts", str(path), "--region", "21", "--json"
        )
        assert (code, payload["denominator"], payload["rejected_rows"], payload["warnings"]) == (0, 535.5, 0, 1)
        assert "row 10, registered_on" in stderr
        assert "(warning)" in stderr

    def test_strict_mode_fails_on_broken_rows(self, settings: Settings) -> None:
        runner = CliRunner()
        result = runner.invoke(
            app,
            [
                "metrics",
                "local-conversion",
                "--contracts",
                str(DATA / "broken.csv"),
                "--region",
                "21",
                "--strict",
                "--json",
            ],
            env={"TECHBRIDGE_DATABASE_URL": settings.database_url},
        )
        assert result.exit_code == 1  # failed, no figures: not the 3 of "the rest was measured"
        assert result.stdout == ""

    def test_registry_mode_without_contracts_has_no_rate(self, settings: Settings) -> None:
        code, payload, _ = run(settings, "metrics", "local-conversion", "--region", "21", "--json")
        assert (code, payload["rate"], payload["denominator"]) == (0, None, 0)


class TestTurnover:
    def test_by_type(self, settings: Settings) -> None:
        code, payload, _ = run(
            settings, "metrics", "turnover", "--contracts", BASIC, "--region", "210000", "--by", "type", "--json"
        )
        assert code == 0
        groups = {g["key"]: g["contract_value"] for g in payload["groups"]["type"]}  # type: ignore[index]
        assert groups == {"development": 160, "service": 310, "transfer": 275.5}
        [transfer] = [g for g in payload["groups"]["type"] if g["key"] == "transfer"]  # type: ignore[index]
        assert transfer["of_which"] == [{"key": "license", "count": 1, "contract_value": 200, "technology_income": 150}]

    def test_sellers_limit_turnover_as_the_dashboard_filter_does(self, settings: Settings) -> None:
        args = ["metrics", "turnover", "--contracts", BASIC, "--region", "21", "--by", "type", "--json"]
        _, every, _ = run(settings, *args)
        _, chosen, _ = run(settings, *args, "--sellers", "university,institute")
        assert {g["key"]: g["count"] for g in every["groups"]["type"]}["service"] == 2  # type: ignore[index]
        assert "service" not in {g["key"] for g in chosen["groups"]["type"]}  # type: ignore[index]
        assert chosen["sellers"] == ["university", "institute"]

    def test_default_gives_every_grouping(self, settings: Settings) -> None:
        _, payload, _ = run(settings, "metrics", "turnover", "--contracts", BASIC, "--region", "21", "--json")
        assert set(payload["groups"]) == {"type", "field", "flow", "quarter", "party"}  # type: ignore[arg-type]
