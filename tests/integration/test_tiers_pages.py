"""Tier portal pages and JSON API through a real DB: permissions, what-if partial, pools, export, chart."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.accounts.service import create_user
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import EnterpriseFact, Organization, Region, Role
from techbridge.policies.fact_import import import_facts_file
from techbridge.policies.pools import refresh_enterprises
from techbridge.policies.service import save_fact
from techbridge.policies.wording import fact_label
from techbridge.web.app import create_app
from tests.integration.test_tiers_cli import HNTE_READY, invoke


def seed(session: Session) -> dict[str, int]:
    """Two Shenyang enterprises (one HNTE-ready, in a cluster), one Dalian one, an officer and enterprise users."""
    session.add_all(
        [Region(code="210100", name="沈阳市", level="city"), Region(code="210200", name="大连市", level="city")]
    )
    session.flush()
    for code, name, parent in (
        ("210102", "和平区", "210100"),
        ("210103", "沈河区", "210100"),
        ("210202", "中山区", "210200"),
    ):
        session.add(Region(code=code, name=name, level="county", parent_code=parent))
    session.flush()
    ids: dict[str, int] = {}
    for key, name, region, clusters in (
        ("ready", "甲科技", "210102", ["集成电路"]),
        ("near", "乙科技", "210103", []),
        ("dalian", "丙科技", "210202", []),
    ):
        org = Organization(kind="enterprise", name=name, normalized_name=name, region_code=region)
        org.extra = {"clusters": clusters}
        session.add(org)
        session.flush()
        ids[key] = org.id
    for fact, value in HNTE_READY.items():
        save_fact(session=session, viewer=SYSTEM, organization_id=ids["ready"], fact=fact, value=value)
        near = 70 if fact == "hnte_innovation_score" else value
        save_fact(session=session, viewer=SYSTEM, organization_id=ids["near"], fact=fact, value=near)
    refresh_enterprises(session=session, organization_ids=list(ids.values()), as_of=date(2025, 6, 30))
    create_user(session=session, username="officer", password="password-1", role=Role.OFFICER)
    create_user(
        session=session, username="ent", password="password-1", role=Role.ENTERPRISE, organization_id=ids["near"]
    )
    session.commit()
    return ids


def sign_in(client: TestClient, username: str) -> str:
    """Sign in and return the CSRF token."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    response = client.post(
        "/login",
        data={"username": username, "password": "password-1", "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return token.group(1)


def verdicts(html: str) -> dict[str, str]:
    """policy id → verdict from the results partial."""
    return dict(re.findall(r'data-policy="(\w+)" data-verdict="(\w+)"', html))


class TestPolicyCatalogue:
    def test_policies_are_named_not_shown_by_their_ids(self, settings: Settings, session: Session) -> None:
        seed(session)
        client = TestClient(create_app(settings))
        sign_in(client, "ent")
        html = client.get("/tiers").text
        table = html[html.index('id="policy-table"') : html.index("</table>", html.index('id="policy-table"'))]
        shown = re.sub(r"<[^>]+>", " ", table)
        assert "高新技术企业" in shown
        assert not re.search(r"\b(hnte|tech_sme)\b", shown)


class TestEnterprisePage:
    def test_own_user_sees_verdicts_gaps_and_what_if(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        token = sign_in(client, "ent")
        page = client.get(f"/tiers/enterprises/{ids['near']}?as_of=2025-06-30")
        assert page.status_code == 200
        assert verdicts(page.text)["hnte"] == "ineligible"
        assert 'class="gap" data-criterion="innovation_score"' in page.text
        form = {"csrf_token": token, "as_of": "2025-06-30", "fact_1": "hnte_innovation_score", "value_1": "71"}
        partial = client.post(f"/tiers/enterprises/{ids['near']}/what-if", data=form, headers={"HX-Request": "true"})
        assert partial.status_code == 200
        assert partial.text.lstrip().startswith('<div id="tier-results">')
        assert verdicts(partial.text)["hnte"] == "eligible"
        with Session(bind=session.get_bind()) as check:
            stored = check.query(EnterpriseFact).filter_by(organization_id=ids["near"], fact="hnte_innovation_score")
            assert stored.one().value == 70

    def test_what_if_changes_the_year_chosen_beside_a_series_value(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        token = sign_in(client, "ent")
        page = client.get(f"/tiers/enterprises/{ids['near']}?as_of=2025-06-30")
        assert '<option value="-3" >2022 年（大前年）</option>' in page.text
        form = {"csrf_token": token, "as_of": "2025-06-30", "fact_1": "rd_expense_history", "value_1": "10"}
        partial = client.post(
            f"/tiers/enterprises/{ids['near']}/what-if", data={**form, "year_1": "-3"}, headers={"HX-Request": "true"}
        )
        assert partial.status_code == 200
        banner = re.search(r'id="what-if-banner">(.*?)</p>', partial.text, re.S)
        assert banner is not None
        assert "2022 年（大前年） 10万元" in banner.group(1)
        gap = re.search(r'data-criterion="rd_intensity">([^<]*)', partial.text)
        assert gap is not None
        assert "2024 年（上年度）研发费用需增加" in gap.group(1)

    def test_bad_what_if_value_is_422_with_the_partial(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        token = sign_in(client, "ent")
        form = {"csrf_token": token, "fact_1": "employees", "value_1": "many"}
        partial = client.post(f"/tiers/enterprises/{ids['near']}/what-if", data=form, headers={"HX-Request": "true"})
        assert partial.status_code == 422
        assert 'id="what-if-error"' in partial.text

    def test_other_enterprises_users_are_refused(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        token = sign_in(client, "ent")
        assert client.get(f"/tiers/enterprises/{ids['ready']}").status_code == 403
        response = client.post(
            f"/tiers/enterprises/{ids['ready']}/facts", data={"csrf_token": token, "fact": "ip_class1", "value": "9"}
        )
        assert response.status_code == 403

    def test_own_user_saves_a_fact(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        token = sign_in(client, "ent")
        data = {"csrf_token": token, "fact": "hnte_innovation_score", "value": "80", "year": "2025", "source": "review"}
        response = client.post(f"/tiers/enterprises/{ids['near']}/facts", data=data, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/tiers/enterprises/{ids['near']}?done=saved"  # 已保存。 shown
        page = client.get(f"/tiers/enterprises/{ids['near']}?as_of=2025-06-30&lang=en").text
        assert verdicts(page)["hnte"] == "eligible"
        assert "Eligible" in page

    @pytest.mark.parametrize(
        ("field", "value", "year"),
        [("value", "[1,", ""), ("value", "{", ""), ("year", "80", "99999999999999999999999")],
    )
    def test_unreadable_fact_is_a_422_on_the_form(
        self, settings: Settings, session: Session, field: str, value: str, year: str
    ) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        token = sign_in(client, "ent")
        data = {"csrf_token": token, "fact": "hnte_innovation_score", "value": value, "year": year}
        response = client.post(f"/tiers/enterprises/{ids['near']}/facts?lang=en", data=data)
        assert response.status_code == 422
        error = re.search(r'id="fact-error">([^<]+)<', response.text)
        assert error is not None
        assert error.group(1).startswith(field)
        with session_scope(settings.database_url) as check:
            stored = check.query(EnterpriseFact).filter_by(organization_id=ids["near"], fact="hnte_innovation_score")
            assert stored.one().value == 70


def rows(html: str) -> list[tuple[str, str]]:
    """(enterprise id, verdict) of the pool items table, in order."""
    return re.findall(r'<tr data-org="(\d+)" data-verdict="(\w+)">', html)


class TestMissingFacts:
    def test_undecided_policies_name_their_missing_facts_and_the_template_imports_back(
        self, settings: Settings, session: Session, tmp_path: Path
    ) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        sign_in(client, "officer")
        page = client.get(f"/tiers/enterprises/{ids['dalian']}?as_of=2025-06-30")
        missing = re.search(r'<div class="missing-facts" data-policy="hnte">(.*?)</div>', page.text, re.S)
        assert missing is not None
        assert 'data-fact="hnte_innovation_score"' in missing.group(1)
        assert 'href="#save-fact-form"' in missing.group(1)
        assert 'class="missing-facts" data-policy="hnte"' not in client.get(f"/tiers/enterprises/{ids['ready']}").text
        response = client.get(f"/tiers/enterprises/{ids['dalian']}/facts-template.csv?policy=hnte&as_of=2025-06-30")
        assert response.status_code == 200
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert table[0][:5] == ["enterprise", "fact", "value", "year", "source"]
        facts = [row[1] for row in table[1:]]
        assert "hnte_innovation_score" in facts
        assert all(row[0] == str(ids["dalian"]) for row in table[1:])
        filled = [[*row[:2], "80" if row[1] == "hnte_innovation_score" else "", *row[3:]] for row in table]
        filled = [table[0]] + [row for row in filled[1:] if row[2]]
        path = tmp_path / "filled.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(filled)
        assert import_facts_file(session=session, path=path)["imported"] == 1

    def test_enterprise_users_of_another_enterprise_get_no_template(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        sign_in(client, "ent")
        assert client.get(f"/tiers/enterprises/{ids['ready']}/facts-template.csv").status_code == 403


class TestPools:
    def test_officer_filters_by_city_cluster_policy_and_verdict(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        sign_in(client, "officer")
        page = client.get("/tiers/pools?policy=hnte&city=2101&as_of=2025-06-30")
        assert page.status_code == 200
        assert rows(page.text) == [(str(ids["ready"]), "eligible"), (str(ids["near"]), "near_miss")]
        assert 'data-total="2"' in page.text
        chart = json.loads(re.search(r"data-echarts='([^']+)'", page.text).group(1).replace("&#34;", '"'))  # type: ignore[union-attr]
        assert chart["xAxis"]["data"] == ["沈阳市"]
        clustered = client.get("/tiers/pools?policy=hnte&cluster=集成电路").text
        assert rows(clustered) == [(str(ids["ready"]), "eligible")]
        near = client.get("/tiers/pools?policy=hnte&verdict=near_miss", headers={"HX-Request": "true"})
        assert near.text.lstrip().startswith('<div id="pools">')
        assert rows(near.text) == [(str(ids["near"]), "near_miss")]
        assert "创新能力评价" in near.text or "innovation" in near.text

    def test_the_page_speaks_english_too(self, settings: Settings, session: Session) -> None:
        seed(session)
        client = TestClient(create_app(settings))
        sign_in(client, "officer")
        zh = client.get("/tiers/pools?policy=hnte").text
        en = client.get("/tiers/pools?policy=hnte&lang=en").text
        assert "临界（差一项）" in zh
        assert "Near-misses" in en
        assert "Missing facts" in en

    @pytest.mark.parametrize(("lang", "city"), [("zh", "沈阳市 (2101)"), ("en", "Shenyang (2101)")])
    def test_rows_name_the_city_and_the_missing_facts_not_their_codes(
        self, settings: Settings, session: Session, lang: str, city: str
    ) -> None:
        seed(session)
        client = TestClient(create_app(settings))
        sign_in(client, "officer")
        page = client.get(f"/tiers/pools?policy=hnte&city=2101&as_of=2025-06-30&lang={lang}").text
        cells = re.findall(r'<td data-code="(\d*)">([^<]*)</td>', page)
        assert cells, page[-3000:]
        assert cells == [("210102", city), ("210103", city)]  # districts of 沈阳, shown as the city
        everyone = client.get(f"/tiers/pools?policy=hnte&lang={lang}").text
        detail = "".join(re.findall(r"<td>((?:[^<]|<(?!/td>))*)</td></tr>", everyone))
        assert fact_label("hnte_innovation_score", lang) in detail  # a missing fact by its name in the page's language
        assert "hnte_innovation_score" not in detail

    def test_pages_follow_each_other(self, settings: Settings, session: Session) -> None:
        seed(session)
        client = TestClient(create_app(settings))
        sign_in(client, "officer")
        first = client.get("/api/tiers/pools?per_page=4").json()
        second = client.get("/api/tiers/pools?per_page=4&page=2").json()
        assert first["total"] == 27
        assert first["pages"] == 7
        keys = [(i["id"], i["policy"]) for i in first["items"] + second["items"]]
        assert len(set(keys)) == 8
        closeness = [i["closeness"] for i in first["items"] + second["items"]]
        assert closeness == sorted(closeness, reverse=True)

    def test_another_date_than_the_stored_one_is_a_clear_error(self, settings: Settings, session: Session) -> None:
        seed(session)
        client = TestClient(create_app(settings))
        sign_in(client, "officer")
        response = client.get("/api/tiers/pools?as_of=2025-07-01")
        assert response.status_code == 422
        assert "refresh --as-of 2025-07-01" in response.text

    def test_export_is_a_workbook(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        sign_in(client, "officer")
        response = client.get("/tiers/pools.xlsx?policy=hnte")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        table = list(sheet.iter_rows(values_only=True))
        assert table[0][:4] == ("policy", "version", "verdict", "enterprise_id")
        assert [(row[2], row[3]) for row in table[1:3]] == [("eligible", ids["ready"]), ("near_miss", ids["near"])]

    def test_a_partial_pool_says_so_on_the_page(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        sign_in(client, "officer")
        assert 'id="pools-partial"' not in client.get("/tiers/pools").text
        refresh_enterprises(session=session, organization_ids=[ids["ready"]], as_of=date(2025, 7, 1))
        session.commit()
        page = client.get("/tiers/pools").text
        assert 'id="pools-partial"' in page
        assert f"1 / {len(ids)} 家企业" in page

    def test_enterprise_users_cannot_see_pools(self, settings: Settings, session: Session) -> None:
        seed(session)
        client = TestClient(create_app(settings))
        sign_in(client, "ent")
        assert client.get("/tiers/pools").status_code == 403
        assert client.get("/api/tiers/pools").status_code == 403

    def test_a_saved_fact_moves_the_enterprise_between_pools(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        token = sign_in(client, "officer")
        data = {"csrf_token": token, "fact": "hnte_innovation_score", "value": "80"}
        assert client.post(f"/tiers/enterprises/{ids['near']}/facts", data=data).status_code == 200
        pool = client.get("/api/tiers/pools?policy=hnte&verdict=eligible").json()
        assert sorted(item["id"] for item in pool["items"]) == sorted([ids["ready"], ids["near"]])


class TestApi:
    def test_evaluate_posted_facts(self, settings: Settings, session: Session) -> None:
        client = TestClient(create_app(settings))
        token = sign_in_token(client)
        body: dict[str, Any] = {
            "as_of": "2025-06-30",
            "policies": ["hnte"],
            "enterprises": [{"id": "x", "facts": HNTE_READY}, {"id": "y", "facts": {"employees": -1}}],
        }
        response = client.post("/api/tiers/evaluate", json=body, headers={"X-CSRF-Token": token})
        assert response.status_code == 200
        first, second = response.json()["results"]
        assert first["results"][0]["verdict"] == "eligible"
        assert "error" in second

    def test_what_if_and_pools(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        token = sign_in(client, "officer")
        body = {"as_of": "2025-06-30", "changes": {"hnte_innovation_score": 90}}
        response = client.post(
            f"/api/tiers/enterprises/{ids['near']}/what-if", json=body, headers={"X-CSRF-Token": token}
        )
        hnte = next(r for r in response.json()["results"] if r["policy"] == "hnte")
        assert hnte["verdict"] == "eligible"
        body = {"as_of": "2025-06-30", "changes": {"rd_expense_history": {"year": 2022, "value": 10}}}
        response = client.post(
            f"/api/tiers/enterprises/{ids['near']}/what-if", json=body, headers={"X-CSRF-Token": token}
        )
        assert response.json()["facts"]["rd_expense_history"] == [10, 225, 250]
        hnte = next(r for r in response.json()["results"] if r["policy"] == "hnte")
        gap = next(g for g in hnte["gaps"] if g["criterion"] == "rd_intensity")
        assert {k: gap["change"][k] for k in ("fact", "index", "year", "value")} == {
            "fact": "rd_expense_history",
            "index": -1,
            "year": 2024,
            "value": 440,
        }
        body = {"as_of": "2025-06-30", "changes": {"rd_expense_history": {"index": -1, "value": 440}}}
        response = client.post(
            f"/api/tiers/enterprises/{ids['near']}/what-if", json=body, headers={"X-CSRF-Token": token}
        )
        assert response.json()["facts"]["rd_expense_history"] == [200, 225, 440]
        bad = {"as_of": "2025-06-30", "changes": {"rd_expense_history": {"index": 2, "value": 1}}}
        response = client.post(
            f"/api/tiers/enterprises/{ids['near']}/what-if", json=bad, headers={"X-CSRF-Token": token}
        )
        assert response.status_code == 422
        assert "rd_expense_history" in response.text
        pools = client.get("/api/tiers/pools?policy=hnte&as_of=2025-06-30").json()
        assert pools["by_verdict"] == {"eligible": 1, "near_miss": 1, "ineligible": 0, "unknown": 1}
        hnte = next(row for row in pools["by_policy"] if row["policy"] == "hnte")
        assert hnte == {"policy": "hnte", **pools["by_verdict"]}
        assert len(pools["by_policy"]) == 9
        near = [item for item in pools["items"] if item["verdict"] == "near_miss"]
        assert [org["id"] for org in near] == [ids["near"]]
        assert near[0]["failing_criterion"] == "innovation_score"
        assert near[0]["gaps"][0]["text"]["zh"]


def sign_in_token(client: TestClient) -> str:
    """The CSRF token of an anonymous session."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    return token.group(1)


class TestCliEqualsApi:
    """`techbridge tiers enterprise ID [--what-if JSON]` answers what the API answers an officer."""

    def test_enterprise_and_what_if(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        client = TestClient(create_app(settings))
        token = sign_in(client, "officer")
        api = client.get(f"/api/tiers/enterprises/{ids['near']}", params={"as_of": "2025-06-30"}).json()
        cli = invoke(settings, "tiers", "enterprise", str(ids["near"]), "--as-of", "2025-06-30", "--json")
        assert json.loads(cli.stdout) == api
        body = {"as_of": "2025-06-30", "changes": {"hnte_innovation_score": 90}}
        api = client.post(
            f"/api/tiers/enterprises/{ids['near']}/what-if", json=body, headers={"X-CSRF-Token": token}
        ).json()
        changes = json.dumps(body["changes"])
        cli = invoke(settings, "tiers", "enterprise", str(ids["near"]), "--as-of", "2025-06-30", "--what-if", changes)
        assert "hnte\teligible" in cli.stdout
        cli = invoke(
            settings, "tiers", "enterprise", str(ids["near"]), "--as-of", "2025-06-30", "--what-if", changes, "--json"
        )
        assert json.loads(cli.stdout) == api

    def test_bad_what_if_exits_1(self, settings: Settings, session: Session) -> None:
        ids = seed(session)
        result = invoke(settings, "tiers", "enterprise", str(ids["near"]), "--what-if", "[1]")
        assert result.exit_code == 1
