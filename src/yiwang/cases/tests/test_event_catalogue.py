"""Case events follow the event catalogue: what is written, what the applicant sees."""

import datetime as dt

import pytest

from yiwang.accounts.models import AccountEvent
from yiwang.cases import selectors, services
from yiwang.cases.models import CaseEvent
from yiwang.cases.services import _base as base
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.catalog.models import CatalogEvent
from yiwang.ledger.events import CATALOGUE, UnknownEventVerb
from yiwang.ledger.models import Entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(world: None):  # type: ignore[no-untyped-def]
    version = ImplementationVersionFactory()
    with flows.on(dt.date(2026, 3, 2)):
        case = flows.accepted(version)
        flows.review_done(case)
        services.case_decide(actor=user("jn_approver"), case=case, outcome="approve", opinion="符合条件")
    return flows.reload(case)


def test_every_event_and_ledger_kind_written_is_catalogued(decided) -> None:  # type: ignore[no-untyped-def]
    written = {f"cases.{v}" for v in CaseEvent.objects.values_list("verb", flat=True)}
    written |= {f"catalog.{v}" for v in CatalogEvent.objects.values_list("verb", flat=True)}
    written |= {f"accounts.{v}" for v in AccountEvent.objects.values_list("verb", flat=True)}
    written |= set(Entry.objects.values_list("kind", flat=True))
    assert {"cases.submit", "cases.approve", "accounts.person_registered"} <= written
    assert written - set(CATALOGUE) == set()


def test_the_applicant_sees_exactly_what_the_catalogue_shows(decided) -> None:  # type: ignore[no-untyped-def]
    events = list(CaseEvent.objects.filter(case=decided).order_by("at", "id"))
    shown = [e for e in events if e.event_type.shown_to_applicant(from_status=e.from_status)]
    hidden = [e for e in events if e not in shown]
    assert {"task_claimed", "save_draft", "upload_material"} & {e.verb for e in hidden}
    applicant_view = selectors.case_timeline(decided, for_staff=False)
    assert [(t.at, t.summary) for t in applicant_view] == [(e.at, e.summary) for e in shown]
    staff_view = selectors.case_timeline(decided, for_staff=True)
    assert len(staff_view) == len(events)
    # The reviewer's opinion on the review task stays inside.
    review = next(t for t in applicant_view if t.verb == "task_approve")
    assert review.reason == ""
    assert next(t for t in staff_view if t.verb == "task_approve").reason == "符合条件"


def test_an_uncatalogued_verb_writes_nothing(decided) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    before = (CaseEvent.objects.count(), Entry.objects.count())
    with pytest.raises(UnknownEventVerb), transaction.atomic():
        base.record(decided, verb="approved_by_magic", actor=None, summary="?")  # type: ignore[arg-type]
    with pytest.raises(UnknownEventVerb):
        CaseEvent(case=decided, verb="approved_by_magic", summary="?", at=decided.updated_at).save()
    assert (CaseEvent.objects.count(), Entry.objects.count()) == before
