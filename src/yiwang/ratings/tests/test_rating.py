"""Rating a concluded case: who may, once per case and way, through the notice link without
login, and a rating changed behind the platform's back no longer matches its ledger entry."""

import pytest

from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.ledger.models import Entry
from yiwang.ratings import services
from yiwang.ratings.checks import rating_problems
from yiwang.ratings.models import Channel, Rating
from yiwang.ratings.tests.scene import concluded, notice_token, person

pytestmark = pytest.mark.django_db


def _rate(case, user="zhangsan", grade=5, **kw):  # type: ignore[no-untyped-def]
    return services.rating_give(
        actor=person(user), case_number=case.number, grade=grade, tags=kw.pop("tags", []), text=kw.pop("text", ""), **kw
    )


def test_the_applicant_rates_a_concluded_case_once_and_the_ledger_holds_it(world: None) -> None:
    case = concluded()
    rating = _rate(case, grade=4, tags=["efficiency", "attitude"], text="很快")
    assert rating.handling == "none" and rating.response_due is None
    entry = Entry.objects.get(pk=rating.ledger_entry_id)
    assert entry.kind == "ratings.rated" and entry.subject == f"rating:{case.number}/online"
    assert '"grade":4' in entry.leaf and "很快" not in entry.leaf and "zhangsan" not in entry.leaf
    assert rating_problems([rating]) == {rating.pk: []}
    with pytest.raises(Conflict, match="已经评价过"):
        _rate(case, grade=1)
    with pytest.raises(Conflict, match="已经评价过"):  # the notice link is the same online way
        services.rating_give_by_link(token=notice_token(case), grade=1, tags=[], text="")
    assert Rating.objects.count() == 1


def test_only_a_party_rates_and_only_once_the_case_has_a_result(world: None) -> None:
    case = concluded()
    with pytest.raises(PermissionDenied, match="申请人"):
        _rate(case, user="lisi")
    with pytest.raises(PermissionDenied, match="申请人"):
        _rate(case, user="jn_window")
    running = flows.submit(ImplementationVersionFactory())
    with pytest.raises(PermissionDenied, match="办结后才能评价"):
        _rate(running)


@pytest.mark.parametrize(
    ("grade", "tags", "text", "field"),
    [
        (0, [], "", "grade"),
        (6, [], "", "grade"),
        ("5", [], "", "grade"),
        (True, [], "", "grade"),
        (5, ["nonsense"], "", "tags"),
        (5, ["guide", "guide"], "", "tags"),
        (5, [], "x" * 501, "text"),
        (5, [], "坏\u0000", "text"),
    ],
)
def test_a_bad_input_names_the_field_and_keeps_nothing(world: None, grade, tags, text, field) -> None:  # type: ignore[no-untyped-def]
    case = concluded()
    with pytest.raises(ValidationFailed) as refused:
        _rate(case, grade=grade, tags=tags, text=text)
    assert field in refused.value.errors and not Rating.objects.exists()


def test_the_notice_link_rates_without_login_once(world: None) -> None:
    case = concluded()
    token = notice_token(case)
    rating = services.rating_give_by_link(token=token, grade=1, tags=["guide"], text="指南写错了材料")
    assert rating.channel == Channel.NOTICE_LINK and rating.rater == case.applicant and rating.handling == "pending"
    with pytest.raises(Conflict, match="已经使用过"):
        services.rating_give_by_link(token=token, grade=5, tags=[], text="")
    with pytest.raises(NotFound):
        services.rating_give_by_link(token="x" * 32, grade=5, tags=[], text="")


def test_the_hotline_and_the_hall_tablet_are_other_ways_each_once(world: None) -> None:
    case = concluded()
    _rate(case, grade=5)
    hotline = services.rating_record_hotline(
        actor=person("jn_supervisor"), case_number=case.number, grade=2, tags=[], text="电话里说等太久"
    )
    assert hotline.recorded_by == person("jn_supervisor") and hotline.rater == case.applicant
    with pytest.raises(PermissionDenied):
        services.rating_record_hotline(actor=person("jn_window"), case_number=case.number, grade=2, tags=[], text="")
    token = services.hall_link_issue(actor=person("jn_window"), case_number=case.number)
    onsite = services.rating_give_by_link(token=token, grade=4, tags=[], text="")
    assert onsite.family == "onsite" and Rating.objects.filter(case=case).count() == 3


def test_a_rating_changed_in_the_table_no_longer_matches_its_entry(world: None) -> None:
    case = concluded()
    rating = _rate(case, grade=1, tags=["attitude"], text="态度差")
    Rating.objects.filter(pk=rating.pk).update(grade=5, text="很好")
    changed = Rating.objects.get(pk=rating.pk)
    assert set(rating_problems([changed])[rating.pk]) == {"评价等级", "评价内容"}
    Rating.objects.filter(pk=rating.pk).update(grade=1, text="态度差", rater=person("lisi"))
    assert rating_problems([Rating.objects.get(pk=rating.pk)])[rating.pk] == ["评价人"]


def test_the_audit_command_names_a_rating_changed_behind_the_platforms_back(world: None) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    rating = _rate(concluded(), grade=2, text="慢")
    out = StringIO()
    call_command("ratings", "audit", stdout=out)
    assert "1 rating(s) match" in out.getvalue()
    Rating.objects.filter(pk=rating.pk).update(tags=["efficiency"])
    with pytest.raises(CommandError, match="1 of 1"):
        call_command("ratings", "audit", stdout=out)
    assert "标签" in out.getvalue()
