"""`techbridge transfers case …` and `transfers contracts import` through the CLI on a real database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.config import Settings, get_settings

DATA = Path(__file__).resolve().parents[1] / "data" / "contracts"


def invoke(settings: Settings, *args: str) -> tuple[int, str, str]:
    get_settings.cache_clear()
    env = {"TECHBRIDGE_DATABASE_URL": settings.database_url, "TECHBRIDGE_LANG": "en"}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


class TestCaseCommands:
    def test_a_case_goes_from_match_to_production(self, settings: Settings) -> None:
        code, out, _ = invoke(settings, "transfers", "case", "create", "--title", "催化剂中试", "--field", "化工")
        case_id = json.loads(out)["id"]
        assert code == 0
        for _ in range(5):
            code, out, _ = invoke(settings, "transfers", "case", "advance", str(case_id), "--note", "ok")
            assert code == 0
        assert json.loads(out)["stage"] == "producing"
        _, out, _ = invoke(settings, "transfers", "case", "show", str(case_id))
        assert [e["to"] for e in json.loads(out)["events"]][-1] == "producing"

    def test_illegal_skip_exits_1_with_a_clear_message(self, settings: Settings) -> None:
        _, out, _ = invoke(settings, "transfers", "case", "create", "--title", "X")
        case_id = json.loads(out)["id"]
        code, _, _ = invoke(settings, "transfers", "case", "advance", str(case_id), "--to", "piloting")
        assert code != 0
        code, out, _ = invoke(
            settings, "transfers", "case", "advance", str(case_id), "--to", "piloting", "--skip", "--reason", "已有合同"
        )
        assert (code, json.loads(out)["stage"]) == (0, "piloting")

    def test_close_and_list(self, settings: Settings) -> None:
        _, out, _ = invoke(settings, "transfers", "case", "create", "--title", "Y")
        case_id = json.loads(out)["id"]
        code, out, _ = invoke(settings, "transfers", "case", "close", str(case_id), "--reason", "capacity")
        assert (code, json.loads(out)["closing_reason"]) == (0, "capacity")
        _, out, _ = invoke(settings, "transfers", "case", "list")
        assert json.loads(out)[0]["stage"] == "closed"


class TestContractsImport:
    def test_a_bad_row_rejects_the_whole_file_listing_every_error(self, settings: Settings) -> None:
        code, out, err = invoke(settings, "transfers", "contracts", "import", str(DATA / "broken.csv"))
        assert code == 1
        payload = json.loads(out)
        assert (payload["rejected"], payload["created"], payload["rejected_rows"]) == (True, 0, [3, 4, 5, 6, 7, 9])
        assert "row 5, type" in err
        assert "row 9, contract_value" in err
        code, out, _ = invoke(settings, "metrics", "local-conversion", "--region", "21", "--json")
        assert json.loads(out)["denominator"] == 0

    def test_a_good_file_feeds_the_registry_metrics_and_reimports_idempotently(self, settings: Settings) -> None:
        code, out, _ = invoke(settings, "transfers", "contracts", "import", str(DATA / "basic.csv"))
        assert (code, json.loads(out)["created"]) == (0, 8)
        code, out, _ = invoke(settings, "transfers", "contracts", "import", str(DATA / "basic.csv"))
        assert (code, json.loads(out)["created"], json.loads(out)["updated"]) == (0, 0, 8)
        code, out, _ = invoke(settings, "metrics", "local-conversion", "--region", "21", "--json")
        assert (json.loads(out)["numerator"], json.loads(out)["denominator"]) == (210, 435.5)
