"""帮办代办 (ADR 0029): a window clerk fills in an application for a person, who confirms it
with the code sent to their phone before it is submitted in their name."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from yiwang.accounts.models import Role, StaffRole
from yiwang.cases import assisted_selectors
from yiwang.cases.assisted_workflow import (
    ASSISTED_TRANSITIONS,
    AssistedAction,
    AssistedStatus,
    assisted_next_status,
)
from yiwang.cases.models import AssistedApplication, Case, CaseEvent
from yiwang.cases.policy import assist_permission, may_assist
from yiwang.cases.services import assisted as services
from yiwang.cases.services.assisted_lookup import person_lookup
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import GOOD_DATA, ImplementationVersionFactory, dept, user
from yiwang.cases.tests.flows import phone  # noqa: F401 - the fixture
from yiwang.cases.workflow import CaseStatus
from yiwang.core import clock
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.ledger.models import Entry
from yiwang.notifications.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("phone")]
START = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def at(minutes: float) -> object:
    return clock.frozen(START + dt.timedelta(minutes=minutes))


@pytest.fixture
def version(world: None):  # type: ignore[no-untyped-def]
    return ImplementationVersionFactory()


def filled(version, clerk: str = "jn_window") -> AssistedApplication:  # type: ignore[no-untyped-def]
    with at(0):
        assisted = services.assisted_start(actor=user(clerk), person=user("zhangsan"), implementation_version=version)
        services.assisted_save(actor=user(clerk), assisted=assisted, form_data=GOOD_DATA)
        for key in ("application", "layout"):
            services.assisted_upload(actor=user(clerk), assisted=assisted, material_key=key, upload=flows.pdf())
    return AssistedApplication.objects.get(pk=assisted.pk)


def sent_code(assisted: AssistedApplication) -> str:
    message = Message.objects.filter(reference=f"assisted:{assisted.ref}", channel="sms").order_by("-id").first()
    assert message is not None and message.recipient.username == "zhangsan"
    return flows.code_sent(f"assisted:{assisted.ref}")


def send(assisted: AssistedApplication, minutes: float = 1, clerk: str = "jn_window") -> str:
    with at(minutes):
        services.assisted_code_send(actor=user(clerk), assisted=assisted)
    return sent_code(assisted)


def test_the_clerk_fills_uploads_and_the_persons_code_submits_in_their_name(version) -> None:  # type: ignore[no-untyped-def]
    assisted = filled(version)
    assert assisted.case.status == CaseStatus.DRAFT and assisted.case.applicant == user("zhangsan")
    code = send(assisted)
    assisted.refresh_from_db()
    assert assisted.status == AssistedStatus.AWAITING_CONFIRMATION
    assert code not in assisted.code_hash and len(assisted.code_hash) == 64  # kept only as an HMAC
    with at(3):
        case = services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=code)
    assert case.status != CaseStatus.DRAFT and case.number
    assert case.applicant == user("zhangsan")
    assisted.refresh_from_db()
    assert assisted.status == AssistedStatus.SUBMITTED and assisted.confirmed_at is not None
    submit = CaseEvent.objects.get(case=case, verb="submit")
    assert submit.actor == user("zhangsan")  # submitted in the person's name
    confirmed = CaseEvent.objects.get(case=case, verb="assisted_confirmed")
    assert confirmed.actor == user("jn_window") and confirmed.actor_role == Role.WINDOW_CLERK
    assert Entry.objects.filter(pk=confirmed.ledger_entry_id, kind="cases.assisted_confirmed").exists()
    assert assisted_selectors.assisted_label(case) == "由窗口工作人员 赵敏 帮办"
    # The uploads and saves were the clerk's, under the clerk's post.
    uploads = CaseEvent.objects.filter(case=case, verb="upload_material")
    assert {e.actor.username for e in uploads} == {"jn_window"}


def test_a_wrong_code_is_counted_and_the_attempts_are_limited(version, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ASSISTED_CODE_ATTEMPTS = 3
    assisted = filled(version)
    code = send(assisted)
    wrong = "000000" if code != "000000" else "111111"
    for left in (2, 1):
        with at(2), pytest.raises(ValidationFailed) as info:
            services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=wrong)
        assert f"还可以再试 {left} 次" in info.value.errors["code"][0]
    with at(2), pytest.raises(ValidationFailed):
        services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=wrong)
    # The right code no longer works: a new one must be sent.
    with at(2), pytest.raises(ValidationFailed) as info:
        services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=code)
    assert "错误次数过多" in info.value.errors["code"][0]
    assert Case.objects.get(pk=assisted.case_id).status == CaseStatus.DRAFT
    code = send(assisted, minutes=3)
    with at(4):
        case = services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=code)
    assert case.number


def test_an_expired_code_is_refused(version) -> None:  # type: ignore[no-untyped-def]
    assisted = filled(version)
    code = send(assisted, minutes=1)
    with at(1 + services.code_minutes() + 0.5), pytest.raises(ValidationFailed) as info:
        services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=code)
    assert "已过期" in info.value.errors["code"][0]
    assert Case.objects.get(pk=assisted.case_id).status == CaseStatus.DRAFT


def test_nothing_is_submitted_without_the_persons_confirmation(version) -> None:  # type: ignore[no-untyped-def]
    assisted = filled(version)
    with at(2), pytest.raises(Conflict):  # no code sent yet: there is nothing to confirm
        services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code="123456")
    code = send(assisted)
    # A change after the code went out voids it: the person confirms what they were told.
    with at(2):
        services.assisted_save(actor=user("jn_window"), assisted=assisted, form_data={**GOOD_DATA, "area": "90"})
    assisted.refresh_from_db()
    assert assisted.status == AssistedStatus.DRAFTING and assisted.code_hash == ""
    with at(3), pytest.raises(Conflict):
        services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=code)
    assert Case.objects.get(pk=assisted.case_id).status == CaseStatus.DRAFT


def test_the_person_editing_the_draft_after_the_code_was_sent_is_caught(version) -> None:  # type: ignore[no-untyped-def]
    from yiwang.cases.services import case_draft_save

    assisted = filled(version)
    code = send(assisted)
    with at(2):
        case_draft_save(actor=user("zhangsan"), draft=assisted.case, form_data={**GOOD_DATA, "shop_name": "别的店"})
    with at(3), pytest.raises(Conflict, match="有改动"):
        services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=code)


def test_confirming_twice_returns_the_same_case(version) -> None:  # type: ignore[no-untyped-def]
    assisted = filled(version)
    code = send(assisted)
    with at(2):
        first = services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=code)
        again = services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=code)
    assert first.pk == again.pk
    assert CaseEvent.objects.filter(case=first, verb="submit").count() == 1
    assert CaseEvent.objects.filter(case=first, verb="assisted_confirmed").count() == 1


def test_resending_is_limited(version, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ASSISTED_CODE_SENDS = 2
    assisted = filled(version)
    send(assisted, minutes=1)
    with at(1.5), pytest.raises(Conflict, match="秒后再重新发送"):
        services.assisted_code_send(actor=user("jn_window"), assisted=assisted)
    send(assisted, minutes=3)
    with at(5), pytest.raises(Conflict, match="达到上限"):
        services.assisted_code_send(actor=user("jn_window"), assisted=assisted)


def test_the_code_reaches_a_person_who_turned_sms_notices_off(version) -> None:  # type: ignore[no-untyped-def]
    person = user("zhangsan")
    person.notify_by_sms = False
    person.save()
    assisted = filled(version)
    assert len(send(assisted)) == 6


def test_the_form_must_pass_its_checks_before_a_code_is_sent(version) -> None:  # type: ignore[no-untyped-def]
    with at(0):
        assisted = services.assisted_start(
            actor=user("jn_window"), person=user("zhangsan"), implementation_version=version
        )
    with at(1), pytest.raises(ValidationFailed) as info:
        services.assisted_code_send(actor=user("jn_window"), assisted=assisted)
    assert "shop_name" in info.value.errors
    assert not Message.objects.filter(reference=f"assisted:{assisted.ref}").exists()


def test_who_may_help_is_the_policys(version) -> None:  # type: ignore[no-untyped-def]
    assert may_assist(user("jn_window"))
    assert not may_assist(user("jn_reviewer")) and not may_assist(user("zhangsan"))
    with at(0), pytest.raises(PermissionDenied, match="窗口受理或帮办员"):
        services.assisted_start(actor=user("jn_reviewer"), person=user("zhangsan"), implementation_version=version)
    # Another city's window may not help with this city's item, nor touch its assisted drafts.
    assert not assist_permission(user("ta_window"), version=version)
    assisted = filled(version)
    with at(1), pytest.raises(PermissionDenied):
        services.assisted_code_send(actor=user("ta_window"), assisted=assisted)
    # A 帮办员 of the region helps with any item of it.
    helper = user("jn_reviewer")
    StaffRole.objects.create(user=helper, role=Role.ASSISTANT, department=dept("jn_approval"))
    verdict = assist_permission(helper, version=version)
    assert verdict and verdict.role == Role.ASSISTANT
    with at(1):
        services.assisted_code_send(actor=helper, assisted=assisted)
    with at(2):
        case = services.assisted_confirm(actor=helper, assisted=assisted, code=sent_code(assisted))
    assert assisted_selectors.assisted_label(case) == "由帮办员 钱进 帮办"


def test_only_real_name_applicants_are_helped(version) -> None:  # type: ignore[no-untyped-def]
    with at(0), pytest.raises(ValidationFailed):
        services.assisted_start(actor=user("jn_window"), person=user("jn_reviewer"), implementation_version=version)


def test_cancelling_withdraws_the_draft(version) -> None:  # type: ignore[no-untyped-def]
    assisted = filled(version)
    with at(1):
        services.assisted_cancel(actor=user("jn_window"), assisted=assisted, reason="申请人改日再来")
    assisted.refresh_from_db()
    assert assisted.status == AssistedStatus.CANCELLED
    assert Case.objects.get(pk=assisted.case_id).status == CaseStatus.WITHDRAWN
    with at(2), pytest.raises(Conflict):
        services.assisted_code_send(actor=user("jn_window"), assisted=assisted)


def test_stale_assisted_drafts_expire(version) -> None:  # type: ignore[no-untyped-def]
    assisted = filled(version)
    with at(60 * 24 * 10):
        assert services.assisted_expire_stale() == 0
    with at(60 * 24 * (services.draft_days() + 1)):
        assert services.assisted_expire_stale() == 1
    assisted.refresh_from_db()
    assert assisted.status == AssistedStatus.EXPIRED
    assert CaseEvent.objects.filter(case_id=assisted.case_id, verb="assisted_expired").exists()


def test_the_person_is_found_by_name_and_id_number_only(world: None) -> None:
    zhangsan = user("zhangsan")
    number = zhangsan.person.id_number
    found = person_lookup(actor=user("jn_window"), real_name="张三", id_number=number)
    assert found is not None and found.user == zhangsan
    assert number not in found.masked_id_number and "****" in found.masked_phone
    assert person_lookup(actor=user("jn_window"), real_name="李四", id_number=number) is None
    with pytest.raises(PermissionDenied):
        person_lookup(actor=user("jn_reviewer"), real_name="张三", id_number=number)


@pytest.mark.parametrize("status", [None, *AssistedStatus])
@pytest.mark.parametrize("action", list(AssistedAction))
def test_the_transition_table_is_walked(status: AssistedStatus | None, action: AssistedAction) -> None:
    target = ASSISTED_TRANSITIONS.get((status, action))
    if target is None:
        with pytest.raises(Conflict):
            assisted_next_status(status, action)
    else:
        assert assisted_next_status(status, action) == target
    if status in (
        AssistedStatus.SUBMITTED,
        AssistedStatus.SELF_SUBMITTED,
        AssistedStatus.CANCELLED,
        AssistedStatus.EXPIRED,
    ):
        assert target is None  # the ends are final


def test_the_confirmed_contents_digest_is_only_a_commitment_in_the_public_ledger(version) -> None:  # type: ignore[no-untyped-def]
    """The digest is an unsalted SHA-256 of the form (and the files' hashes): in the public leaf
    it would let anyone confirm a guessed form, so it goes in as a salted commitment."""
    assisted = filled(version)
    code = send(assisted)
    with at(3):
        case = services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=code)
    assisted.refresh_from_db()
    for verb in ("assisted_code_sent", "assisted_confirmed"):
        event = CaseEvent.objects.get(case=case, verb=verb)
        leaf = Entry.objects.get(pk=event.ledger_entry_id).leaf
        assert assisted.content_digest not in leaf
        assert "digest" in json.loads(leaf)["commitments"]


def test_each_failed_confirmation_and_the_lock_out_are_events_in_the_ledger_without_the_code(version, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ASSISTED_CODE_ATTEMPTS = 2
    assisted = filled(version)
    code = send(assisted)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):  # two wrong entries use up the attempts; the third finds the code void
        with at(2), pytest.raises(ValidationFailed):
            services.assisted_confirm(actor=user("jn_assistant"), assisted=assisted, code=wrong)
    with at(1 + services.code_minutes() + 1), pytest.raises(ValidationFailed):
        services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=code)
    rejected = list(CaseEvent.objects.filter(case_id=assisted.case_id, verb="assisted_code_rejected").order_by("id"))
    assert [(e.payload["why"], e.payload["attempts"]) for e in rejected] == [
        ("wrong", 1),
        ("wrong", 2),
        ("locked", 2),
        ("expired", 2),
    ]
    assert rejected[0].actor == user("jn_assistant") and rejected[0].actor_role == Role.ASSISTANT
    locked = CaseEvent.objects.get(case_id=assisted.case_id, verb="assisted_code_locked")
    assert locked.payload["attempts"] == 2 and rejected[1].id < locked.id < rejected[2].id
    for event in [*rejected, locked]:
        leaf = json.loads(Entry.objects.get(pk=event.ledger_entry_id).leaf)
        assert leaf["kind"] in ("cases.assisted_code_rejected", "cases.assisted_code_locked")
        assert "commitments" not in leaf  # nothing personal; and the code typed is nowhere in it:
        assert {wrong, code}.isdisjoint(str(v) for v in leaf["payload"].values())
    assert Case.objects.get(pk=assisted.case_id).status == CaseStatus.DRAFT


def test_the_person_submitting_the_draft_themselves_ends_the_help(version) -> None:  # type: ignore[no-untyped-def]
    from yiwang.cases.services import case_submit

    assisted = filled(version)
    code = send(assisted)
    with at(2):
        case = case_submit(actor=user("zhangsan"), idempotency_key="own", draft=assisted.case)
    assert case.number and case.status != CaseStatus.DRAFT
    assisted.refresh_from_db()
    assert assisted.status == AssistedStatus.SELF_SUBMITTED and assisted.confirmed_at is None
    assert assisted.code_hash == ""  # the code sent is void
    event = CaseEvent.objects.get(case=case, verb="assisted_submitted_by_person")
    assert event.actor == user("zhangsan") and event.actor_role == "applicant"
    assert Entry.objects.filter(pk=event.ledger_entry_id, kind="cases.assisted_submitted_by_person").exists()
    assert assisted_selectors.assisted_label(case) == ""  # not "由…帮办": the person submitted it
    with at(3), pytest.raises(Conflict):
        services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=code)
    assert CaseEvent.objects.filter(case=case, verb="submit").count() == 1


def test_the_code_leaves_the_stored_sms_once_delivered_and_the_rest_of_the_text_stays(version) -> None:  # type: ignore[no-untyped-def]
    assisted = filled(version)
    code = send(assisted)
    message = Message.objects.get(reference=f"assisted:{assisted.ref}", channel="sms")
    assert message.status == "sent" and code not in message.body
    assert "验证码 ****** 告知工作人员" in message.body and message.secret_start is None


def test_an_undelivered_code_leaves_the_stored_sms_when_used_void_or_past_its_time(version, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from yiwang.notifications.channels import LogChannel
    from yiwang.notifications.services import messages_redact_expired

    original = LogChannel.send

    def down(self, message):  # type: ignore[no-untyped-def]
        original(self, message)  # the phone got it; the gateway's answer was lost: retried later
        raise OSError("网关超时")

    monkeypatch.setattr(LogChannel, "send", down)
    assisted = filled(version)

    def stored() -> list[str]:
        rows = Message.objects.filter(reference=f"assisted:{assisted.ref}", channel="sms").order_by("id")
        return [m.body for m in rows]

    first = send(assisted, minutes=1)
    assert first in stored()[0]  # pending: kept while it may still go out
    second = send(assisted, minutes=3)  # a new code voids the first
    assert first not in stored()[0] and second in stored()[1]
    with at(4):
        services.assisted_confirm(actor=user("jn_window"), assisted=assisted, code=second)
    assert second not in stored()[1] and "******" in stored()[1]
    # A code nobody used or voided is blanked past its ten minutes by the worker's sweep.
    other = filled(version)
    third = send(other, minutes=5)
    reference = f"assisted:{other.ref}"
    with at(5 + services.code_minutes() - 1):
        assert messages_redact_expired() == 0
    assert third in Message.objects.get(reference=reference).body
    with at(5 + services.code_minutes()):
        assert messages_redact_expired() == 1
    assert third not in Message.objects.get(reference=reference).body
