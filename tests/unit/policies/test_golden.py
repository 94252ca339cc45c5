"""Golden verdicts: tests/data/tiers/*.yaml (base facts + per-case changes → expected verdict, score, criteria)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from techbridge.policies.evaluate import evaluate_enterprise
from techbridge.policies.loader import shipped_policies

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "data" / "tiers"


def _jsonable(value: Any) -> Any:
    """YAML dates → ISO strings, floats → their literal, as a JSON Lines input would carry them."""
    return json.loads(json.dumps(value, default=str))


def load_cases() -> list[Any]:
    """Every case of every golden file, as pytest params named after the file and the case."""
    params = []
    for path in sorted(GOLDEN_DIR.glob("*.yaml")):
        suite = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in suite["cases"]:
            params.append(pytest.param(suite, case, id=f"{path.stem}: {case['name']}"))
    return params


def facts_of(suite: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    """The case's facts: `replace` or the suite's base, then `set`, minus `unset`."""
    facts = dict(case.get("replace", suite["base"]))
    facts.update(case.get("set", {}))
    for name in case.get("unset", []):
        facts.pop(name, None)
    return _jsonable(facts)


def find_criterion(criteria: list[dict[str, Any]], criterion_id: str) -> dict[str, Any] | None:
    """A criterion trace by id, searched through the tree."""
    for node in criteria:
        if node["id"] == criterion_id:
            return node
        found = find_criterion(node.get("children", []), criterion_id)
        if found is not None:
            return found
    return None


@pytest.mark.parametrize(("suite", "case"), load_cases())
def test_golden_case(suite: dict[str, Any], case: dict[str, Any]) -> None:
    policy_id = case.get("policy", suite["policy"])
    as_of = date.fromisoformat(str(case.get("as_of", suite["as_of"])))
    enterprise = json.loads(json.dumps({"id": case["name"], "facts": facts_of(suite, case)}), parse_float=Decimal)
    (result,) = evaluate_enterprise(enterprise, as_of, shipped_policies(), only=[policy_id])["results"]
    assert result["verdict"] == case["expect"], result
    if "version" in case:
        assert result["version"] == case["version"]
    if "score" in case:
        assert result["score"] == case["score"]
    if "score_range" in case:
        assert result["score_range"] == case["score_range"]
    for criterion_id, verdict in case.get("criteria", {}).items():
        node = find_criterion(result["criteria"], criterion_id)
        assert node is not None, criterion_id
        assert node["verdict"] == verdict, node
    if "gaps" in case:
        assert set(case["gaps"]) <= {gap["criterion"] for gap in result["gaps"]}
        assert all(gap["text"]["zh"] and gap["text"]["en"] for gap in result["gaps"])
