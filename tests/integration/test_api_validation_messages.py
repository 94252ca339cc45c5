"""Invalid request input under /api answers one 422 body whose `message` names the field and the limit it broke in
the caller's language (?lang=, else the `lang` cookie, else Chinese), one catalog wording per pydantic error type,
with FastAPI's `detail` beside it; a portal route answers its error page with the same words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.models import Role
from techbridge.web.app import create_app
from tests.html_page import Page
from tests.registry_seed import PASSWORD, make_user

JSON = {"content-type": "application/json"}


@dataclass(frozen=True)
class Case:
    """One invalid request and the answer expected in each language."""

    error_type: str
    method: str
    path: str
    location: list[str | int]
    zh: str
    en: str
    params: dict[str, str] | None = None
    body: Any = None
    raw: bytes | None = None


CASES = [
    Case("missing", "POST", "/api/demands", ["body", "title"], "title：必填", "title: required", body={}),
    Case(
        "int_parsing",
        "GET",
        "/api/achievements",
        ["query", "size"],
        "size：请输入整数",
        "size: must be a whole number",
        params={"size": "abc"},
    ),
    Case(
        "int_from_float",
        "POST",
        "/api/achievements",
        ["body", "trl"],
        "trl：请输入整数",
        "trl: must be a whole number",
        body={"title": "减速器", "trl": 1.5},
    ),
    Case(
        "float_parsing",
        "POST",
        "/api/subscriptions",
        ["body", "threshold"],
        "threshold：请输入数字",
        "threshold: must be a number",
        body={"query": "降噪", "threshold": "abc"},
    ),
    Case(
        "decimal_parsing",
        "POST",
        "/api/demands",
        ["body", "budget"],
        "budget：请输入数字",
        "budget: must be a number",
        body={"title": "降噪", "budget": "abc"},
    ),
    Case(
        "decimal_max_places",
        "POST",
        "/api/demands",
        ["body", "budget"],
        "budget：最多 2 位小数",
        "budget: at most 2 decimals",
        body={"title": "降噪", "budget": "1.234"},
    ),
    Case(
        "bool_parsing",
        "GET",
        "/api/enterprises",
        ["query", "listed"],
        "listed：应为 true 或 false",
        "listed: must be true or false",
        params={"listed": "maybe"},
    ),
    Case(
        "date_from_datetime_parsing",
        "GET",
        "/api/tiers/enterprises/1",
        ["query", "as_of"],
        "as_of：日期格式应为 YYYY-MM-DD",
        "as_of: must be a date, YYYY-MM-DD",
        params={"as_of": "2025-13-01"},
    ),
    Case(
        "string_too_short",
        "POST",
        "/api/demands",
        ["body", "title"],
        "title：至少需要 2 个字符",
        "title: needs at least 2 characters",
        body={"title": "x"},
    ),
    Case(
        "string_too_long",
        "POST",
        "/api/demands",
        ["body", "title"],
        "title：最多 255 个字符",
        "title: at most 255 characters",
        body={"title": "x" * 256},
    ),
    Case(
        "string_too_long",
        "GET",
        "/api/achievements",
        ["query", "q"],
        "q：最多 100 个字符",
        "q: at most 100 characters",
        params={"q": "x" * 101},
    ),
    Case(
        "greater_than_equal",
        "GET",
        "/api/achievements",
        ["query", "page"],
        "page：不能小于 1",
        "page: must be at least 1",
        params={"page": "0"},
    ),
    Case(
        "less_than_equal",
        "GET",
        "/api/match",
        ["query", "trl_max"],
        "trl_max：不能大于 9",
        "trl_max: must be at most 9",
        params={"q": "减速器", "trl_max": "10"},
    ),
    Case(
        "greater_than_equal",
        "POST",
        "/api/subscriptions",
        ["body", "threshold"],
        "threshold：不能小于 0.05",
        "threshold: must be at least 0.05",
        body={"query": "降噪", "threshold": 0.01},
    ),
    Case(
        "enum",
        "GET",
        "/api/institutions",
        ["query", "kind"],
        "kind：应为以下之一：enterprise、university、institute、carrier",
        "kind: must be one of: enterprise, university, institute, carrier",
        params={"kind": "lab"},
    ),
    Case(
        "literal_error",
        "GET",
        "/api/match",
        ["query", "owner_type"],
        "owner_type：应为以下之一：university、institute、enterprise、expert",
        "owner_type: must be one of: university, institute, enterprise, expert",
        params={"q": "减速器", "owner_type": "lab"},
    ),
    Case(
        "too_long",
        "POST",
        "/api/demands",
        ["body", "field_tags"],
        "field_tags：最多 20 项",
        "field_tags: at most 20 items",
        body={"title": "降噪", "field_tags": [f"t{i}" for i in range(21)]},
    ),
    Case(
        "extra_forbidden",
        "POST",
        "/api/demands",
        ["body", "owner"],
        "owner：不支持的字段",
        "owner: unknown field",
        body={"title": "降噪", "owner": 1},
    ),
    Case(
        "string_pattern_mismatch",
        "GET",
        "/api/enterprises",
        ["query", "region"],
        r"region：格式不符（应匹配 ^\d{2,12}$）",
        r"region: does not match the pattern ^\d{2,12}$",
        params={"region": "沈阳"},
    ),
    Case(
        "json_invalid",
        "POST",
        "/api/demands",
        ["body"],
        "body：不是有效的 JSON（第 10 个字符处出错）",
        "body: not valid JSON (error at character 10: Expecting value)",
        raw=b'{"title": ',
    ),
    Case(
        "model_attributes_type",
        "POST",
        "/api/demands",
        ["body"],
        "body：应为 JSON 对象",
        "body: must be a JSON object",
        raw=b'["title"]',
    ),
    Case(
        "string_type",
        "POST",
        "/api/demands",
        ["body", "field_tags", 1],
        "field_tags[1]：应为文本",
        "field_tags[1]: must be a string",
        body={"title": "降噪", "field_tags": ["降噪", 7]},
    ),
]


@pytest.fixture
def api(settings: Settings, session: Session) -> TestClient:
    """A client signed in as an enterprise user, sending the CSRF header on every request."""
    make_user(session, "ent", Role.ENTERPRISE)
    session.commit()
    client = TestClient(create_app(settings))
    body = client.post("/api/auth/login", json={"username": "ent", "password": PASSWORD}).json()
    client.headers[body["csrf_header"]] = body["csrf_token"]
    return client


def send(client: TestClient, case: Case, lang: str) -> Any:
    params = {**(case.params or {}), "lang": lang}
    if case.raw is not None:
        return client.request(case.method, case.path, params=params, content=case.raw, headers=JSON)
    return client.request(case.method, case.path, params=params, json=case.body if case.method == "POST" else None)


class TestEachErrorTypeIsSaidInTheCallersLanguage:
    @pytest.mark.parametrize("case", CASES, ids=[f"{c.error_type}-{c.location[-1]}" for c in CASES])
    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_message_names_the_field_and_the_limit(self, api: TestClient, case: Case, lang: str) -> None:
        response = send(api, case, lang)
        assert response.status_code == 422
        body = response.json()
        assert body["detail"][0]["type"] == case.error_type  # the case triggers the type it is named for
        assert (body["error"], body["location"]) == ("invalid_data", case.location)
        assert body["message"] == (case.zh if lang == "zh" else case.en)


class TestFallbackAndDetail:
    def test_a_type_without_wording_keeps_pydantics_text(self, api: TestClient) -> None:
        """A lone surrogate in a JSON string (`string_unicode`, no catalog entry): pydantic's own message, after
        the field; in Chinese behind 输入无效. The input echoed in `detail` is written back as its JSON escape."""
        raw = b'{"title": "ab\\ud800cd"}'
        answers = {}
        for lang in ("zh", "en"):
            response = api.post("/api/demands", params={"lang": lang}, content=raw, headers=JSON)
            assert response.status_code == 422
            assert response.json()["detail"][0]["type"] == "string_unicode"
            answers[lang] = response.json()["message"]
        pydantic_text = "Input should be a valid string, unable to parse raw data as a unicode string"
        assert answers == {"zh": f"title：输入无效（{pydantic_text}）", "en": f"title: {pydantic_text}"}

    def test_fastapi_detail_lists_every_failing_input(self, api: TestClient) -> None:
        response = api.post("/api/demands", params={"lang": "en"}, json={"title": "x", "budget": "abc"})
        detail = response.json()["detail"]
        assert [(d["loc"], d["type"]) for d in detail] == [
            (["body", "title"], "string_too_short"),
            (["body", "budget"], "decimal_parsing"),
        ]
        assert detail[0]["msg"] == "String should have at least 2 characters"
        assert detail[0]["ctx"] == {"min_length": 2}

    def test_a_nan_echoed_in_detail_is_an_answer_not_a_500(self, api: TestClient) -> None:
        response = api.post(
            "/api/subscriptions", params={"lang": "en"}, content=b'{"query": "x", "threshold": NaN}', headers=JSON
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["input"] == "nan"


class TestLanguageRule:
    """The rule of every other error: ?lang=, then the `lang` cookie it sets, then Chinese."""

    def test_without_lang_or_cookie_the_message_is_chinese(self, settings: Settings) -> None:
        client = TestClient(create_app(settings))
        response = client.get("/api/achievements", params={"size": "abc"}, headers={"Accept-Language": "en"})
        assert response.json()["message"] == "size：请输入整数"

    def test_the_cookie_set_by_lang_carries_to_the_next_request(self, settings: Settings) -> None:
        client = TestClient(create_app(settings))
        client.get("/api/regions", params={"lang": "en"})
        assert (
            client.get("/api/achievements", params={"size": "abc"}).json()["message"] == "size: must be a whole number"
        )


class TestPortalRoutes:
    @pytest.mark.parametrize(
        ("lang", "message"), [("zh", "demand_id：请输入整数"), ("en", "demand_id: must be a whole number")]
    )
    def test_invalid_path_is_the_error_page_in_the_users_language(
        self, settings: Settings, lang: str, message: str
    ) -> None:
        client = TestClient(create_app(settings))
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get("/match/demands/abc", params={"lang": lang}, headers=headers)
            page = Page(response.text, response.status_code)
            assert page.status == 422
            assert [p.text for p in page.find("p", within="error") if p.attrs.get("class") == "error-message"] == [
                message
            ]
