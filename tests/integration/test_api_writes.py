"""The JSON API's 揭榜挂帅 and transfer-case writes through a real database: the same services and checks as the
portal (session cookie + X-CSRF-Token, roles, a stranger answered as for a missing id), errors in the one API body
naming the field and the reason in the caller's language, and the answers documented in OpenAPI."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.models import (
    Achievement,
    AchievementKind,
    AchievementOwner,
    Expert,
    Organization,
    OrgKind,
    Role,
    Visibility,
)
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, make_regions, make_user

MISSING = 987_654


class Api:
    """A signed-in API client: the session cookie plus the CSRF header `POST /api/auth/login` returned."""

    def __init__(self, settings: Settings, username: str | None) -> None:
        self.client = TestClient(create_app(settings))
        self.headers: dict[str, str] = {}
        if username is not None:
            body = self.client.post("/api/auth/login", json={"username": username, "password": PASSWORD}).json()
            self.headers = {body["csrf_header"]: body["csrf_token"]}

    def post(self, path: str, body: dict[str, Any], lang: str = "zh") -> Any:
        return self.client.post(path, json=body, headers=self.headers, params={"lang": lang})

    def get(self, path: str) -> Any:
        return self.client.get(path)


def error(response: Any) -> tuple[int, str, list[Any], str]:
    """(status, code, location, message) of an API error."""
    body = response.json()
    assert set(body) == {"error", "message", "location"}
    return response.status_code, body["error"], body["location"], body["message"]


def as_missing(response: Any, record_id: int) -> tuple[int, str, list[Any], str]:
    """The error with the record's id written as the missing id: equal to the answer for a missing record."""
    status, code, location, message = error(response)
    where = [MISSING if part == record_id else part for part in location]
    return status, code, where, message.replace(str(record_id), str(MISSING))


@pytest.fixture
def world(session: Session) -> dict[str, int]:
    """A publisher, two institutions' teams (two users of one institution), an outsider, a broker, another broker,
    an officer; the team's own achievement and expert, an outsider's private and public achievements."""
    make_regions(session)
    lab = Organization(kind=OrgKind.UNIVERSITY, name="精密大学", normalized_name="精密大学")
    session.add(lab)
    session.flush()
    users = {
        "publisher": make_user(session, "publisher", Role.ENTERPRISE),
        "team": make_user(session, "team", Role.INSTITUTION, organization_id=lab.id),
        "colleague": make_user(session, "colleague", Role.INSTITUTION, organization_id=lab.id),
        "outsider": make_user(session, "outsider", Role.INSTITUTION),
        "broker": make_user(session, "broker", Role.BROKER),
        "broker2": make_user(session, "broker2", Role.BROKER),
        "officer": make_user(session, "officer", Role.OFFICER),
    }

    def achievement(title: str, owner: str, visibility: Visibility) -> int:
        record = Achievement(kind=AchievementKind.PATENT, title=title, abstract="减速器", keywords=[],
                             owner_id=users[owner].id, visibility=visibility)  # fmt: skip
        session.add(record)
        session.flush()
        return record.id

    ids = {name: user.id for name, user in users.items()}
    ids["lab"] = lab.id
    ids["mine"] = achievement("RV减速器高精度加工方法", "team", Visibility.REGISTERED)
    ids["private"] = achievement("谐波减速器柔轮成形工艺", "outsider", Visibility.OWNER)
    ids["others"] = achievement("摆线针轮减速器磨削装置", "outsider", Visibility.PUBLIC)
    session.add(AchievementOwner(achievement_id=ids["mine"], organization_id=lab.id))
    expert = Expert(name="王精密", owner_id=users["team"].id, visibility=Visibility.PUBLIC)
    session.add(expert)
    session.flush()
    ids["expert"] = expert.id
    session.commit()
    return ids


def publish(api: Api, **extra: Any) -> Any:
    return api.post("/api/challenges", {"title": "工业机器人减速器精度攻关", "goal": "研制高精度RV减速器", **extra})


def open_challenge(settings: Settings, deadline: date | None = None) -> int:
    body = {"deadline": deadline.isoformat()} if deadline else {}
    response = publish(Api(settings, "publisher"), **body)
    assert response.status_code == 201
    return int(response.json()["id"])


class TestAuthentication:
    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("/api/challenges", {"title": "t", "goal": "g"}),
            ("/api/challenges/1/apply", {"team_name": "t"}),
            ("/api/challenges/applications/1/choose", {"milestones": [{"title": "m"}]}),
            ("/api/challenges/milestones/1/submit", {}),
            ("/api/challenges/milestones/1/decide", {}),
            ("/api/transfers/cases", {"title": "t"}),
            ("/api/transfers/cases/1/advance", {}),
            ("/api/transfers/cases/1/close", {"reason": "price"}),
            ("/api/transfers/cases/1/note", {"text": "n"}),
        ],
    )
    def test_a_write_without_the_csrf_header_or_a_session_is_refused(
        self, settings: Settings, world: dict[str, int], path: str, body: dict[str, Any]
    ) -> None:
        signed_in = Api(settings, "officer")
        without_token = signed_in.client.post(path, json=body, params={"lang": "en"})
        assert error(without_token)[:2] == (403, "permission_denied")
        assert "CSRF" in error(without_token)[3]
        wrong_token = signed_in.client.post(path, json=body, headers={"X-CSRF-Token": "forged"})
        assert error(wrong_token)[:2] == (403, "permission_denied")
        anonymous = Api(settings, None)
        assert anonymous.client.post(path, json=body).status_code == 403
        assert Api(settings, "officer").get("/api/challenges").json() == []  # nothing was written


class TestPublish:
    def test_an_enterprise_publishes_and_the_board_lists_it(self, settings: Settings, world: dict[str, int]) -> None:
        response = publish(Api(settings, "publisher"), budget="120.5", indicators=["精度 ≤ 1′"], field="高端装备")
        assert response.status_code == 201
        body = response.json()
        assert (body["status"], body["budget"], body["indicators"], body["field"]) == (
            "open",
            120.5,
            ["精度 ≤ 1′"],
            "高端装备",
        )
        assert [c["id"] for c in Api(settings, None).get("/api/challenges").json()] == [body["id"]]

    def test_an_institution_may_not_publish(self, settings: Settings, world: dict[str, int]) -> None:
        response = publish(Api(settings, "team"))
        assert error(response) == (403, "permission_denied", [], "仅主管部门或链主企业可发榜")

    @pytest.mark.parametrize(
        ("extra", "location", "en", "zh"),
        [
            (
                {"title": "  "},
                ["title"],
                "title: a challenge needs a title and a goal",
                "title: 榜单需要标题和攻关目标",
            ),
            ({"budget": "-1"}, ["budget"], "budget: budget must not be negative", "budget: 经费不能为负数"),
        ],
    )
    def test_a_refused_challenge_names_the_field_in_the_callers_language(
        self, settings: Settings, world: dict[str, int], extra: dict[str, Any], location: list[str], en: str, zh: str
    ) -> None:
        api = Api(settings, "publisher")
        body = {"title": "减速器攻关", "goal": "研制", **extra}
        assert error(api.post("/api/challenges", body, lang="en")) == (422, "invalid_data", location, en)
        assert error(api.post("/api/challenges", body, lang="zh")) == (422, "invalid_data", location, zh)

    def test_a_budget_that_is_no_number_is_a_422_on_the_field(self, settings: Settings, world: dict[str, int]) -> None:
        response = publish(Api(settings, "publisher"), budget="十万")
        assert response.status_code == 422
        assert response.json()["location"] == ["body", "budget"]


class TestApply:
    def test_a_team_applies_with_its_own_achievement_and_an_expert(
        self, settings: Settings, world: dict[str, int]
    ) -> None:
        challenge = open_challenge(settings)
        body = {"team_name": "减速器团队", "plan": "五轴磨削", "achievement_ids": [world["mine"]],
                "expert_ids": [world["expert"]]}  # fmt: skip
        response = Api(settings, "team").post(f"/api/challenges/{challenge}/apply", body)
        assert response.status_code == 201
        made = response.json()
        assert (made["team_name"], made["status"], made["achievements"], made["experts"]) == (
            "减速器团队",
            "submitted",
            ["RV减速器高精度加工方法"],
            ["王精密"],
        )
        detail = Api(settings, "team").get(f"/api/challenges/{challenge}").json()
        assert (detail["application_count"], [a["id"] for a in detail["mine"]]) == (1, [made["id"]])
        assert Api(settings, "outsider").get(f"/api/challenges/{challenge}").json()["mine"] == []

    def test_a_second_application_by_the_user_or_by_the_organization_is_a_conflict(
        self, settings: Settings, world: dict[str, int]
    ) -> None:
        challenge = open_challenge(settings)
        team = Api(settings, "team")
        assert team.post(f"/api/challenges/{challenge}/apply", {"team_name": "甲队"}).status_code == 201
        again = team.post(f"/api/challenges/{challenge}/apply", {"team_name": "乙队"}, lang="en")
        assert error(again)[:3] == (409, "conflict", [])
        assert "already applied" in error(again)[3]
        colleague = Api(settings, "colleague").post(f"/api/challenges/{challenge}/apply", {"team_name": "丙队"})
        assert error(colleague) == (
            409,
            "conflict",
            [],
            "您所在的机构已揭榜该榜单（团队「甲队」），每个机构只能揭榜一次",
        )

    def test_after_the_deadline_an_application_is_a_conflict(self, settings: Settings, world: dict[str, int]) -> None:
        challenge = open_challenge(settings, deadline=date.today() - timedelta(days=1))
        response = Api(settings, "team").post(f"/api/challenges/{challenge}/apply", {"team_name": "甲队"})
        assert error(response) == (409, "conflict", [], "揭榜截止日期已过")

    def test_a_hidden_achievement_is_refused_exactly_as_a_missing_one(
        self, settings: Settings, world: dict[str, int]
    ) -> None:
        challenge = open_challenge(settings)
        team = Api(settings, "team")
        hidden = team.post(
            f"/api/challenges/{challenge}/apply", {"team_name": "甲队", "achievement_ids": [world["private"]]}
        )
        missing = team.post(f"/api/challenges/{challenge}/apply", {"team_name": "甲队", "achievement_ids": [MISSING]})
        assert error(missing) == (422, "invalid_data", ["achievement_ids", MISSING],
                                  f"achievement_ids:{MISSING}: 成果 {MISSING} 不存在或无权查看")  # fmt: skip
        assert as_missing(hidden, world["private"]) == error(missing)

    def test_someone_elses_public_achievement_is_refused_naming_it(
        self, settings: Settings, world: dict[str, int]
    ) -> None:
        challenge = open_challenge(settings)
        body = {"team_name": "甲队", "achievement_ids": [world["others"]]}
        status, code, location, message = error(Api(settings, "team").post(f"/api/challenges/{challenge}/apply", body))
        assert (status, code, location) == (422, "invalid_data", ["achievement_ids", world["others"]])
        assert "成果「摆线针轮减速器磨削装置」不属于您、您的机构或团队中的专家" in message

    def test_a_blank_team_name_is_refused_on_the_field(self, settings: Settings, world: dict[str, int]) -> None:
        challenge = open_challenge(settings)
        response = Api(settings, "team").post(f"/api/challenges/{challenge}/apply", {"team_name": " "}, lang="en")
        assert error(response) == (422, "invalid_data", ["team_name"], "team_name: a team name is needed")

    def test_more_attachments_than_the_form_offers_are_refused(self, settings: Settings, world: dict[str, int]) -> None:
        challenge = open_challenge(settings)
        body = {"team_name": "甲队", "expert_ids": [world["expert"]] * 6}
        response = Api(settings, "team").post(f"/api/challenges/{challenge}/apply", body)
        assert (response.status_code, response.json()["location"]) == (422, ["body", "expert_ids"])

    def test_a_missing_challenge_is_a_404(self, settings: Settings, world: dict[str, int]) -> None:
        response = Api(settings, "team").post(f"/api/challenges/{MISSING}/apply", {"team_name": "甲队"})
        assert error(response)[:2] == (404, "not_found")


def applied(settings: Settings, deadline: date | None = None) -> tuple[int, int]:
    """A challenge with the team's application: (challenge id, application id)."""
    challenge = open_challenge(settings, deadline)
    response = Api(settings, "team").post(f"/api/challenges/{challenge}/apply", {"team_name": "甲队"})
    assert response.status_code == 201
    return challenge, int(response.json()["id"])


PLAN = {"milestones": [{"title": "样机", "due_on": "2027-06-30"}, {"title": "验收"}]}


class TestChoose:
    def test_the_publisher_chooses_a_team_with_milestones(self, settings: Settings, world: dict[str, int]) -> None:
        challenge, application = applied(settings)
        response = Api(settings, "publisher").post(f"/api/challenges/applications/{application}/choose", PLAN)
        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["challenge_id"], body["status"]) == (application, challenge, "chosen")
        assert [(m["seq"], m["title"], m["due_on"], m["status"]) for m in body["milestones"]] == [
            (1, "样机", "2027-06-30", "pending"),
            (2, "验收", None, "pending"),
        ]
        detail = Api(settings, None).get(f"/api/challenges/{challenge}").json()
        assert (detail["status"], [m["id"] for m in detail["milestones"]]) == (
            "awarded",
            [m["id"] for m in body["milestones"]],
        )
        again = Api(settings, "officer").post(f"/api/challenges/applications/{application}/choose", PLAN)
        assert error(again) == (409, "conflict", [], "该榜单已确定揭榜团队")

    def test_a_choice_before_the_deadline_is_a_conflict(self, settings: Settings, world: dict[str, int]) -> None:
        deadline = date.today() + timedelta(days=3)
        _, application = applied(settings, deadline)
        response = Api(settings, "publisher").post(f"/api/challenges/applications/{application}/choose", PLAN, "en")
        assert error(response) == (
            409,
            "conflict",
            [],
            f"applications are open until {deadline.isoformat()}; a team is chosen after the deadline",
        )

    def test_no_milestone_is_refused_on_the_field(self, settings: Settings, world: dict[str, int]) -> None:
        _, application = applied(settings)
        response = Api(settings, "publisher").post(
            f"/api/challenges/applications/{application}/choose", {"milestones": []}
        )
        assert error(response) == (422, "invalid_data", ["milestones"], "milestones: 至少设置一个里程碑")

    @pytest.mark.parametrize("stranger", ["team", "outsider", "broker"])
    def test_a_stranger_gets_the_answer_of_a_missing_application(
        self, settings: Settings, world: dict[str, int], stranger: str
    ) -> None:
        _, application = applied(settings)
        api = Api(settings, stranger)
        found = api.post(f"/api/challenges/applications/{application}/choose", PLAN)
        missing = api.post(f"/api/challenges/applications/{MISSING}/choose", PLAN)
        assert error(missing)[:2] == (404, "not_found")
        assert as_missing(found, application) == error(missing)


def chosen(settings: Settings) -> tuple[int, list[int]]:
    """A challenge whose team was chosen: (challenge id, milestone ids)."""
    challenge, application = applied(settings)
    body = Api(settings, "publisher").post(f"/api/challenges/applications/{application}/choose", PLAN).json()
    return challenge, [m["id"] for m in body["milestones"]]


class TestMilestones:
    def test_the_team_submits_and_the_publisher_accepts_every_milestone(
        self, settings: Settings, world: dict[str, int]
    ) -> None:
        challenge, milestones = chosen(settings)
        team, publisher = Api(settings, "team"), Api(settings, "publisher")
        for milestone in milestones:
            submitted = team.post(f"/api/challenges/milestones/{milestone}/submit", {"note": "完成"})
            assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")
            decided = publisher.post(f"/api/challenges/milestones/{milestone}/decide", {"accept": True})
            assert (decided.status_code, decided.json()["status"]) == (200, "accepted")
        assert Api(settings, None).get(f"/api/challenges/{challenge}").json()["status"] == "accepted"
        late = team.post(f"/api/challenges/milestones/{milestones[0]}/submit", {})
        assert error(late) == (409, "conflict", [], "该里程碑已验收")

    def test_a_rejected_milestone_is_submitted_again(self, settings: Settings, world: dict[str, int]) -> None:
        _, milestones = chosen(settings)
        team, publisher = Api(settings, "team"), Api(settings, "publisher")
        team.post(f"/api/challenges/milestones/{milestones[0]}/submit", {})
        rejected = publisher.post(
            f"/api/challenges/milestones/{milestones[0]}/decide", {"accept": False, "note": "缺数据"}
        )
        assert rejected.json()["status"] == "rejected"
        assert team.post(f"/api/challenges/milestones/{milestones[0]}/submit", {}).json()["status"] == "submitted"

    def test_deciding_a_milestone_not_submitted_is_a_conflict(self, settings: Settings, world: dict[str, int]) -> None:
        _, milestones = chosen(settings)
        response = Api(settings, "publisher").post(f"/api/challenges/milestones/{milestones[0]}/decide", {})
        assert error(response) == (409, "conflict", [], "里程碑尚未提交，不能验收")

    @pytest.mark.parametrize(
        ("stranger", "action"), [("outsider", "submit"), ("outsider", "decide"), ("team", "decide")]
    )
    def test_a_stranger_gets_the_answer_of_a_missing_milestone(
        self, settings: Settings, world: dict[str, int], stranger: str, action: str
    ) -> None:
        _, milestones = chosen(settings)
        Api(settings, "team").post(f"/api/challenges/milestones/{milestones[0]}/submit", {})
        api = Api(settings, stranger)
        found = api.post(f"/api/challenges/milestones/{milestones[0]}/{action}", {})
        missing = api.post(f"/api/challenges/milestones/{MISSING}/{action}", {})
        assert error(missing)[:2] == (404, "not_found")
        assert as_missing(found, milestones[0]) == error(missing)


def open_case(settings: Settings, username: str = "broker", **extra: Any) -> Any:
    return Api(settings, username).post("/api/transfers/cases", {"title": "减速器许可", **extra})


class TestCases:
    def test_a_broker_opens_a_case_with_an_achievement_and_a_city_by_name(
        self, settings: Settings, world: dict[str, int]
    ) -> None:
        response = open_case(settings, achievement_id=world["others"], city="大连", counterpart_name="大连某机床")
        assert response.status_code == 201
        body = response.json()
        assert (body["stage"], body["broker_id"], body["city_code"], body["achievement_title"]) == (
            "matched",
            world["broker"],
            "2102",
            "摆线针轮减速器磨削装置",
        )
        assert [(e["kind"], e["to"], e["by"]) for e in body["events"]] == [("created", "matched", "broker")]
        assert Api(settings, "broker").get(f"/api/transfers/cases/{body['id']}").json() == body

    def test_only_brokers_and_officers_open_cases(self, settings: Settings, world: dict[str, int]) -> None:
        response = open_case(settings, "team")
        assert error(response) == (403, "permission_denied", [], "仅技术经理人和主管部门可操作转化案例")

    def test_a_hidden_achievement_is_refused_exactly_as_a_missing_one(
        self, settings: Settings, world: dict[str, int]
    ) -> None:
        hidden = open_case(settings, achievement_id=world["private"])
        missing = open_case(settings, achievement_id=MISSING)
        assert error(missing) == (422, "invalid_data", ["achievement_id"],
                                  f"achievement_id: 科技成果 {MISSING} 不存在或无权查看")  # fmt: skip
        assert as_missing(hidden, world["private"]) == error(missing)

    def test_a_city_naming_no_region_is_refused_on_the_field(self, settings: Settings, world: dict[str, int]) -> None:
        status, code, location, message = error(open_case(settings, city="火星"))
        assert (status, code, location) == (422, "invalid_data", ["city"])
        assert "未找到地区「火星」" in message


def case_id(settings: Settings) -> int:
    response = open_case(settings)
    assert response.status_code == 201
    return int(response.json()["id"])


class TestCaseChanges:
    def test_the_broker_advances_notes_and_closes(self, settings: Settings, world: dict[str, int]) -> None:
        case = case_id(settings)
        broker = Api(settings, "broker")
        advanced = broker.post(f"/api/transfers/cases/{case}/advance", {"note": "已电话联系"})
        assert (advanced.status_code, advanced.json()["stage"]) == (200, "contacted")
        skipped = broker.post(
            f"/api/transfers/cases/{case}/advance", {"to": "contracted", "skip": True, "reason": "直接签约"}
        )
        assert skipped.json()["events"][-1]["skipped"] == ["negotiating"]
        noted = broker.post(f"/api/transfers/cases/{case}/note", {"text": "合同已寄出"})
        assert (noted.status_code, noted.json()["kind"], noted.json()["note"]) == (201, "note", "合同已寄出")
        closed = broker.post(f"/api/transfers/cases/{case}/close", {"reason": "price", "note": "价格谈不拢"})
        assert (closed.json()["stage"], closed.json()["closing_reason"]) == ("closed", "price")
        again = broker.post(f"/api/transfers/cases/{case}/close", {"reason": "price"})
        assert error(again)[:2] == (409, "conflict")

    @pytest.mark.parametrize(
        ("body", "lang", "expected"),
        [
            ({"to": "shipped"}, "en", (422, "invalid_data", ["to"])),
            ({"to": "negotiating"}, "en", (409, "conflict", [])),
            ({"to": "negotiating", "skip": True}, "zh", (422, "invalid_data", ["reason"])),
            ({"to": "matched"}, "zh", (409, "conflict", [])),
            ({"to": "closed"}, "zh", (409, "conflict", [])),
        ],
    )
    def test_an_illegal_move_is_refused_saying_why(
        self, settings: Settings, world: dict[str, int], body: dict[str, Any], lang: str, expected: tuple[Any, ...]
    ) -> None:
        case = case_id(settings)
        response = Api(settings, "broker").post(f"/api/transfers/cases/{case}/advance", body, lang)
        assert error(response)[:3] == expected
        assert Api(settings, "broker").get(f"/api/transfers/cases/{case}").json()["stage"] == "matched"

    def test_an_unknown_stage_is_named_with_the_stages_allowed(self, settings: Settings, world: dict[str, int]) -> None:
        case = case_id(settings)
        broker = Api(settings, "broker")
        en = error(broker.post(f"/api/transfers/cases/{case}/advance", {"to": "shipped"}, "en"))[3]
        zh = error(broker.post(f"/api/transfers/cases/{case}/advance", {"to": "shipped"}, "zh"))[3]
        assert en.startswith("to: unknown stage 'shipped'; use one of matched, contacted")
        assert zh.startswith("to: 未知的目标阶段“shipped”，可选：matched")

    def test_a_skip_without_the_flag_names_the_stages_it_would_skip(
        self, settings: Settings, world: dict[str, int]
    ) -> None:
        case = case_id(settings)
        response = Api(settings, "broker").post(f"/api/transfers/cases/{case}/advance", {"to": "negotiating"})
        assert "将跳过已联系，须作为跳过决定记录并说明理由" in error(response)[3]

    def test_an_unknown_closing_reason_and_an_empty_note_are_refused_on_the_field(
        self, settings: Settings, world: dict[str, int]
    ) -> None:
        case = case_id(settings)
        broker = Api(settings, "broker")
        closed = error(broker.post(f"/api/transfers/cases/{case}/close", {"reason": "weather"}, "en"))
        assert closed[:3] == (422, "invalid_data", ["reason"])
        assert closed[3].startswith("reason: unknown closing reason 'weather'; use one of ")
        note = broker.post(f"/api/transfers/cases/{case}/note", {"text": "  "}, "en")
        assert error(note) == (422, "invalid_data", ["note"], "note: empty note")

    @pytest.mark.parametrize(
        ("stranger", "action", "body"),
        [
            ("broker2", "advance", {}),
            ("broker2", "close", {"reason": "price"}),
            ("broker2", "note", {"text": "看看"}),
            ("team", "advance", {}),
            ("team", "note", {"text": "看看"}),
        ],
    )
    def test_a_stranger_gets_the_answer_of_a_missing_case(
        self, settings: Settings, world: dict[str, int], stranger: str, action: str, body: dict[str, Any]
    ) -> None:
        case = case_id(settings)
        api = Api(settings, stranger)
        found = api.post(f"/api/transfers/cases/{case}/{action}", body)
        missing = api.post(f"/api/transfers/cases/{MISSING}/{action}", body)
        assert error(missing)[0] in (403, 404)
        assert as_missing(found, case) == error(missing)
        assert api.get(f"/api/transfers/cases/{case}").status_code == 404
        assert [e["kind"] for e in Api(settings, "broker").get(f"/api/transfers/cases/{case}").json()["events"]] == [
            "created"
        ]

    def test_an_officer_changes_any_case(self, settings: Settings, world: dict[str, int]) -> None:
        case = case_id(settings)
        response = Api(settings, "officer").post(f"/api/transfers/cases/{case}/advance", {})
        assert (response.status_code, response.json()["events"][-1]["by"]) == (200, "officer")


WRITES = [
    ("post", "/api/challenges", "201"),
    ("post", "/api/challenges/{challenge_id}/apply", "201"),
    ("post", "/api/challenges/applications/{application_id}/choose", "200"),
    ("post", "/api/challenges/milestones/{milestone_id}/submit", "200"),
    ("post", "/api/challenges/milestones/{milestone_id}/decide", "200"),
    ("post", "/api/transfers/cases", "201"),
    ("post", "/api/transfers/cases/{case_id}/advance", "200"),
    ("post", "/api/transfers/cases/{case_id}/close", "200"),
    ("post", "/api/transfers/cases/{case_id}/note", "201"),
]


class TestOpenApi:
    @pytest.mark.parametrize(("method", "path", "success"), WRITES)
    def test_every_write_documents_its_body_answer_errors_and_the_csrf_header(
        self, settings: Settings, method: str, path: str, success: str
    ) -> None:
        spec = Api(settings, None).get("/openapi.json").json()
        operation = spec["paths"][path][method]
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].startswith(
            "#/components/schemas/"
        )
        assert operation["responses"][success]["content"]["application/json"]["schema"]
        for status in ("403", "404", "422"):
            ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorRead"
        assert "X-CSRF-Token" in [p["name"] for p in operation["parameters"] if p["in"] == "header"]

    def test_the_target_stage_and_closing_reason_are_documented_as_choices(self, settings: Settings) -> None:
        schemas = Api(settings, None).get("/openapi.json").json()["components"]["schemas"]
        assert "contacted" in schemas["AdvanceBody"]["properties"]["to"]["enum"]
        assert "price" in schemas["CloseBody"]["properties"]["reason"]["enum"]
