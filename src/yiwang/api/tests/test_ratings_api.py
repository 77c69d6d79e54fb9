"""好差评 through the API: the one-time link (no login), the signed-in applicant, the public
figures; every refusal problem+json naming the field."""

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

from yiwang.core import clock
from yiwang.ratings import services
from yiwang.ratings.models import Rating
from yiwang.ratings.tests.scene import concluded, notice_token, person

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def post(client: Client, url: str, body: Any) -> Any:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert not body["detail"].isascii(), body["detail"]  # Chinese
    return body


def fields(body: dict[str, Any]) -> set[str]:
    return {error["field"] for error in body.get("errors", [])}


def test_the_notice_link_tells_what_to_rate_then_rates_once_without_login(world: None) -> None:
    case = concluded()
    token = notice_token(case)
    url = f"/api/v1/ratings/link/{token}"
    anonymous = Client(enforce_csrf_checks=True)  # a phone opening the link: no session, no CSRF token

    shown = anonymous.get(url)
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    about = shown.json()
    assert about["case_number"] == case.number and about["channel"] == "notice_link"
    assert about["item_name"] == case.implementation_version.item_version.name
    assert [g["value"] for g in about["grades"]] == [5, 4, 3, 2, 1] and about["grades"][4]["label"] == "非常不满意"
    assert {"code": "guide", "label": "指南准确"} in about["tags"]
    applicant = case.applicant
    assert applicant.display_name not in shown.content.decode() and applicant.username not in shown.content.decode()

    rated = post(anonymous, url, {"grade": 1, "tags": ["guide", "materials"], "text": "指南上的材料清单写错了"})
    assert rated.status_code == 201, rated.content
    out = rated.json()
    assert (out["grade"], out["grade_label"], out["channel"]) == (1, "非常不满意", "notice_link")
    assert out["handling"] == "pending" and out["response_due"] and out["case_number"] == case.number
    assert "text" not in out and "rater" not in out  # the public fields only
    rating = Rating.objects.get(pk=out["id"])
    assert rating.rater == applicant and rating.text == "指南上的材料清单写错了"

    used = problem(post(anonymous, url, {"grade": 5}), 409)
    assert "已经使用过" in used["detail"]
    assert "已经使用过" in problem(anonymous.get(url), 409)["detail"]
    assert Rating.objects.count() == 1


def test_an_unknown_or_expired_link_is_refused(world: None) -> None:
    case = concluded()
    token = notice_token(case)
    for unknown in ("x" * 32, "short", "y" * 64):
        assert "无效" in problem(Client().get(f"/api/v1/ratings/link/{unknown}"), 404)["detail"]
        problem(post(Client(), f"/api/v1/ratings/link/{unknown}", {"grade": 5}), 404)
    problem(Client().get(f"/api/v1/ratings/link/{'z' * 65}"), 422)  # longer than any token: not looked up
    with clock.frozen(clock.now() + dt.timedelta(days=31)):
        assert "过期" in problem(post(Client(), f"/api/v1/ratings/link/{token}", {"grade": 5}), 409)["detail"]
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "grade"),
        ({"grade": 0}, "grade"),
        ({"grade": 6}, "grade"),
        ({"grade": 10**30}, "grade"),
        ({"grade": "5"}, "grade"),
        ({"grade": True}, "grade"),
        ({"grade": 4.5}, "grade"),
        ('{"grade": NaN}', "grade"),
        ('{"grade": 1e999}', "grade"),
        ({"grade": 5, "tags": ["nonsense"]}, "tags"),
        ({"grade": 5, "tags": ["guide", "guide"]}, "tags"),
        ({"grade": 5, "tags": "guide"}, "tags"),
        ({"grade": 5, "tags": ["guide"] * 7}, "tags"),
        ({"grade": 5, "tags": ["x" * 21]}, "tags.0"),
        ({"grade": 5, "text": "x" * 501}, "text"),
        ({"grade": 5, "text": 5}, "text"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_keeps_the_link(world: None, body: Any, field: str) -> None:
    case = concluded()
    url = f"/api/v1/ratings/link/{notice_token(case)}"
    refused = problem(post(Client(), url, body), 422)
    assert field in fields(refused), refused
    assert not Rating.objects.exists()
    assert post(Client(), url, {"grade": 5}).status_code == 201  # the link still works


def test_control_characters_and_a_huge_body_are_refused_before_the_rating(world: None) -> None:
    case = concluded()
    url = f"/api/v1/ratings/link/{notice_token(case)}"
    nul = problem(post(Client(), url, {"grade": 2, "text": "差\u0000评"}), 400)
    assert fields(nul) == {"text"}
    problem(Client().get(f"/api/v1/ratings/link/abc%00{'a' * 30}"), 400)
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=5 * 1024 * 1024):
        huge = post(Client(), url, b'{"grade": 5, "text": "' + b"a" * (10 * 1024 * 1024) + b'"}')
    problem(huge, 413)
    assert not Rating.objects.exists()


def test_the_signed_in_applicant_rates_their_case_once(login_as: Callable[[str], Client]) -> None:
    case = concluded()
    url = f"/api/v1/cases/{case.number}/rating"
    assert problem(post(Client(), url, {"grade": 5}), 401)
    assert problem(post(login_as("lisi"), url, {"grade": 5}), 404)  # not theirs: not even its existence
    assert "申请人" in problem(post(login_as("jn_window"), url, {"grade": 5}), 403)["detail"]
    assert problem(post(login_as("zhangsan"), url, {"grade": 5, "channel": "hotline"}), 422)["errors"][0]["field"] == (
        "channel"
    )

    rated = post(login_as("zhangsan"), url, {"grade": 4, "tags": ["efficiency"], "text": "很快", "channel": "mobile"})
    assert rated.status_code == 201, rated.content
    assert (rated.json()["channel"], rated.json()["handling"], rated.json()["response_due"]) == ("mobile", "none", None)
    again = problem(post(login_as("zhangsan"), url, {"grade": 1}), 409)
    assert "已经评价过" in again["detail"]
    # the notice link is the same online way (一事一评)
    problem(post(Client(), f"/api/v1/ratings/link/{notice_token(case)}", {"grade": 1}), 409)
    assert Rating.objects.get().grade == 4


def test_the_session_endpoint_wants_its_csrf_token(world: None) -> None:
    case = concluded()
    client = Client(enforce_csrf_checks=True)
    client.force_login(person("zhangsan"))
    refused = problem(post(client, f"/api/v1/cases/{case.number}/rating", {"grade": 5}), 403)
    assert "CSRF" in refused["detail"]
    assert not Rating.objects.exists()


def test_the_public_figures_state_each_rate_with_its_formula(world: None) -> None:
    good, bad, appealed = concluded(), concluded(), concluded()
    services.rating_give(actor=person("zhangsan"), case_number=good.number, grade=5, tags=[], text="")
    services.rating_give(actor=person("zhangsan"), case_number=bad.number, grade=2, tags=[], text="太慢")
    services.rating_give(actor=person("zhangsan"), case_number=appealed.number, grade=1, tags=[], text="乱评")
    bad_rating = Rating.objects.get(case=bad)
    services.rating_fix(actor=person("jn_window"), rating_id=bad_rating.pk, how="当场补办")
    services.rating_revisit(actor=person("jn_window"), rating_id=bad_rating.pk, way="phone", outcome="满意")
    excluded = Rating.objects.get(case=appealed)
    appeal = services.appeal_file(actor=person("jn_head"), rating_id=excluded.pk, reason="与本办件无关")
    # The supervisor of the demo world sits in the rated department; one from the province decides.
    _province_supervisor("sd_supervisor_test")
    services.appeal_decide(actor=person("sd_supervisor_test"), appeal_id=appeal.pk, uphold=True, decision="成立")

    answer = Client().get("/api/v1/ratings/figures")
    assert answer.status_code == 200, answer.content
    shown = answer.json()
    assert (shown["rated"], shown["good"], shown["bad"]) == (2, 1, 1)  # the upheld appeal's rating is out
    assert [(g["grade"], g["count"]) for g in shown["by_grade"]] == [(5, 1), (4, 0), (3, 0), (2, 1), (1, 0)]
    rates = {rate["key"]: rate for rate in shown["rates"]}
    assert (rates["good_rate"]["value"], rates["good_rate"]["numerator"], rates["good_rate"]["denominator"]) == (
        50.0,
        1,
        2,
    )
    assert rates["good_rate"]["name"] == "好评率" and "基本满意" in rates["good_rate"]["formula"]
    assert rates["rectification_rate"]["value"] == 100.0 and rates["revisit_rate"]["value"] == 100.0
    assert rates["active_rate"]["denominator"] == 3 and rates["active_rate"]["numerator"] == 2
    assert "申诉成立" in shown["note"]

    item = good.implementation_version.item_version.item.basic_code
    today = clock.today().isoformat()
    scope = {"department": good.department_id, "region": "370100000000", "since": today, "until": today}
    assert Client().get("/api/v1/ratings/figures", scope).json()["rated"] == 2
    of_item = Client().get("/api/v1/ratings/figures", {**scope, "item": item}).json()
    assert (of_item["rated"], of_item["item"], of_item["by_grade"][0]["count"]) == (1, item, 1)  # each case its item
    assert Client().get("/api/v1/ratings/figures", {"region": "370900000000"}).json()["rated"] == 0  # 泰安市
    later = (clock.today() + dt.timedelta(days=1)).isoformat()
    assert Client().get("/api/v1/ratings/figures", {"since": later}).json()["rated"] == 0
    empty = Client().get("/api/v1/ratings/figures", {"since": later}).json()
    assert {rate["value"] for rate in empty["rates"]} == {None}


def _province_supervisor(username: str) -> None:
    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import Department, Role

    user = accounts.staff_create(actor=None, username=username, password="x-Pass-12345", display_name="省监督")
    accounts.staff_role_grant(
        actor=None, user=user, role=Role.SUPERVISOR, department=Department.objects.get(name="山东省行政审批服务局")
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "2026-13-01"}, "since"),
        ({"since": "9999-12-31"}, "since"),
        ({"until": "0001-01-01"}, "until"),
        ({"since": "2026-10-02", "until": "2026-10-01"}, "until"),
        ({"department": "9" * 30}, "department"),
        ({"department": "0"}, "department"),
        ({"region": "3701"}, "region"),
        ({"region": "379900000000"}, "region"),
        ({"item": "no such item"}, "item"),
        ({"item": "999999999999"}, "item"),
    ],
)
def test_bad_figures_parameters_are_a_422_naming_the_parameter(world: None, query: dict[str, str], field: str) -> None:
    refused = problem(Client().get("/api/v1/ratings/figures", query), 422)
    assert field in fields(refused), refused


def test_the_openapi_document_describes_the_ratings_api() -> None:
    from yiwang.api.root import api

    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    link = paths["/api/v1/ratings/link/{token}"]
    assert {409, 404, 422} <= set(link["post"]["responses"]) and 409 in link["get"]["responses"]
    assert "security" not in link["post"]
    assert paths["/api/v1/cases/{number}/rating"]["post"]["security"]
    assert "/api/v1/ratings/figures" in paths
