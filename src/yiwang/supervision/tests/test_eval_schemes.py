"""考评 schemes as data: four eyes on publication, weights that add up to 100, numbers parsed
with bounds, the version in force for each month, the ledger entry with the content and its
hash, and the transition table walked through the services."""

import datetime as dt
import hashlib
import json
from typing import Any

import pytest

from yiwang.cases.tests.factories import user
from yiwang.core import clock
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.ledger.canonical import canonical_json
from yiwang.ledger.models import Entry
from yiwang.supervision import eval_schemes, evaluation
from yiwang.supervision.eval_models import SchemeVersion
from yiwang.supervision.rule_models import SupervisionEvent
from yiwang.supervision.rule_workflow import VERSION_TRANSITIONS, VersionAction, VersionStatus

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 10)

WEIGHTS: dict[str, dict[str, Any]] = {
    "on_time_rate": {"weight": "20"},
    "commitment_rate": {"weight": "20"},
    "compression": {"weight": "10", "target": "60"},
    "online_rate": {"weight": "10"},
    "good_rate": {"weight": "30"},
    "rectification_rate": {"weight": "10"},
    "notice_response_rate": {"weight": ""},  # left out of the version
}


def draft(by: str = "jn_supervisor", *, month: str = "2027-01", **changed: dict[str, Any]) -> SchemeVersion:
    with clock.frozen(TODAY):
        return eval_schemes.scheme_version_draft(
            actor=user(by), scheme_code="KP-DEPT", indicators={**WEIGHTS, **changed}, valid_from=month
        )


def publish(version: SchemeVersion, by: str = "sd_supervisor") -> SchemeVersion:
    with clock.frozen(TODAY):
        return eval_schemes.scheme_version_publish(actor=user(by), version_id=version.pk)


@pytest.fixture
def schemes(world: None) -> None:
    eval_schemes.ensure_default_schemes()


def test_version_1_is_the_former_default_and_loading_twice_changes_nothing(schemes: None) -> None:
    for subject in ("department", "region"):
        found = eval_schemes.scheme_for(subject, "2026-02")
        assert found is not None and found.version == 1 and found.ledger_entry_id
        assert found.indicators == evaluation.DEFAULT_SCHEME.indicators
    assert eval_schemes.ensure_default_schemes() == []
    assert SchemeVersion.objects.count() == 2


def test_the_drafter_cannot_publish_a_second_supervisor_can(schemes: None) -> None:
    version = draft("jn_supervisor")
    with pytest.raises(PermissionDenied, match="另一位监督人员"):
        publish(version, by="jn_supervisor")
    assert SchemeVersion.objects.get(pk=version.pk).status == VersionStatus.DRAFT
    published = publish(version, by="sd_supervisor")
    assert published.status == VersionStatus.PUBLISHED and published.published_by == user("sd_supervisor")


def test_publication_writes_the_canonical_content_and_its_hash_to_the_ledger(schemes: None) -> None:
    published = publish(draft())
    entry = Entry.objects.get(pk=published.ledger_entry_id)
    assert entry.kind == "supervision.scheme_version_published" and entry.subject == "scheme:KP-DEPT/v2"
    payload = json.loads(entry.leaf)["payload"]
    content = {k: v for k, v in payload.items() if k != "sha256"}
    assert content["valid_from"] == "2027-01" and content["version"] == 2
    assert content["indicators"][2] == {"key": "compression", "weight": 10, "target": 60}
    assert [i["key"] for i in content["indicators"]] == list(evaluation.INDICATORS)[:6]
    assert payload["sha256"] == hashlib.sha256(canonical_json(content)).hexdigest() == published.content_hash
    verbs = list(SupervisionEvent.objects.filter(subject="scheme:KP-DEPT/v2").values_list("verb", flat=True))
    assert sorted(verbs) == ["scheme_version_drafted", "scheme_version_published"]


def test_each_month_is_scored_with_the_version_in_force(schemes: None) -> None:
    v2 = publish(draft(month="2027-01"))
    in_force = {m: eval_schemes.version_in_force("KP-DEPT", m) for m in ("2026-12", "2027-01", "2027-06")}
    assert {m: v.number if v else None for m, v in in_force.items()} == {"2026-12": 1, "2027-01": 2, "2027-06": 2}
    assert eval_schemes.version_in_force("KP-DEPT", "2000-01").number == 1  # type: ignore[union-attr]
    v3 = publish(draft(month="2027-01", good_rate={"weight": "25"}, notice_response_rate={"weight": "5"}))
    assert SchemeVersion.objects.get(pk=v2.pk).status == VersionStatus.RETIRED  # same month: superseded
    assert eval_schemes.version_in_force("KP-DEPT", "2027-03").number == v3.number  # type: ignore[union-attr]
    with clock.frozen(TODAY):
        eval_schemes.scheme_version_retire(actor=user("jn_supervisor"), version_id=v3.pk)
    assert eval_schemes.version_in_force("KP-DEPT", "2027-03").number == 1  # type: ignore[union-attr]
    assert eval_schemes.version_in_force("KP-REGION", "2027-03").number == 1  # type: ignore[union-attr]


def test_weights_must_add_up_to_100(schemes: None) -> None:
    with pytest.raises(ValidationFailed) as refused:
        draft(good_rate={"weight": "25"})
    assert refused.value.errors == {"weights": ["权重合计须为 100（现为 95）"]}
    with pytest.raises(ValidationFailed) as nothing:
        draft(**{key: {"weight": "0"} for key in evaluation.INDICATORS})
    assert "现为 0" in nothing.value.errors["weights"][0]


@pytest.mark.parametrize(
    "raw",
    ["NaN", "inf", "-inf", "1e2", "１５", "２0", "-5", "10.5", "99999999999999999999", " 1 0 ", "0x10", "101",
     float("nan"), float("inf"), 10**30, 15.0, True, [15], "15\x00"],
)  # fmt: skip
def test_a_weight_that_is_not_a_whole_number_0_to_100_is_refused(schemes: None, raw: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        draft(on_time_rate={"weight": raw})
    assert refused.value.errors == {"weight-on_time_rate": ["按期办结率权重：请填写 0 到 100 的整数（半角数字）"]}
    assert SchemeVersion.objects.count() == 2


@pytest.mark.parametrize("raw", ["", "0", "NaN", "１０", "150", "5.5"])
def test_the_compression_target_is_required_and_bounded(schemes: None, raw: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        draft(compression={"weight": "10", "target": raw})
    assert list(refused.value.errors) == ["target-compression"]
    assert refused.value.errors["target-compression"][0].startswith("承诺时限压缩比目标值：")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_from": "2026-11"}, "valid_from"),  # a month already begun before today's
        ({"valid_from": "2027-13"}, "valid_from"),
        ({"valid_from": "２０２７-01"}, "valid_from"),
        ({"note": "说明\x00"}, "note"),
        ({"indicators": {"made_up": {"weight": "100"}}}, "weights"),
    ],
)
def test_the_month_the_note_and_unknown_indicators_are_checked(
    schemes: None, changes: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {"indicators": WEIGHTS, "valid_from": "2027-01", "note": "", **changes}
    with clock.frozen(TODAY), pytest.raises(ValidationFailed) as refused:
        eval_schemes.scheme_version_draft(actor=user("jn_supervisor"), scheme_code="KP-DEPT", **arguments)
    assert list(refused.value.errors) == [field]


def test_only_supervisors_manage_schemes(schemes: None) -> None:
    for who in ("jn_window", "jn_head"):
        with pytest.raises(PermissionDenied):
            draft(who)
    version = draft()
    with pytest.raises(PermissionDenied):
        publish(version, by="jn_head")


def test_a_draft_whose_month_has_begun_is_no_longer_published(schemes: None) -> None:
    version = draft(month="2027-01")
    with clock.frozen(dt.date(2027, 2, 1)), pytest.raises(Conflict, match="须晚于本月"):
        eval_schemes.scheme_version_publish(actor=user("sd_supervisor"), version_id=version.pk)


def test_a_version_already_applied_is_not_retired(schemes: None) -> None:
    v1 = eval_schemes.version_in_force("KP-DEPT", "2026-11")
    assert v1 is not None
    with clock.frozen(TODAY), pytest.raises(Conflict, match="已用于考评，不能停用"):
        eval_schemes.scheme_version_retire(actor=user("jn_supervisor"), version_id=v1.pk)
    v2 = publish(draft(month="2027-01"))
    with clock.frozen(dt.date(2027, 1, 30)), pytest.raises(Conflict, match="已用于考评"):
        # January under way: its drafter alone may not take its weights back after seeing the month
        eval_schemes.scheme_version_retire(actor=user("jn_supervisor"), version_id=v2.pk)
    with clock.frozen(dt.date(2027, 1, 30)), pytest.raises(ValidationFailed, match="须晚于本月 2027-01"):
        eval_schemes.scheme_version_draft(  # nor may a version be drafted for the month in progress
            actor=user("jn_supervisor"), scheme_code="KP-DEPT", indicators=WEIGHTS, valid_from="2027-01"
        )
    with clock.frozen(dt.date(2027, 2, 1)), pytest.raises(Conflict):  # January has been scored
        eval_schemes.scheme_version_retire(actor=user("jn_supervisor"), version_id=v2.pk)
    assert SchemeVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 3


def _in(status: VersionStatus | None) -> SchemeVersion | None:
    if status is None:
        return None
    version = draft(month="2027-02")
    if status != VersionStatus.DRAFT:
        version = publish(version)
    if status == VersionStatus.RETIRED:
        with clock.frozen(TODAY):
            version = eval_schemes.scheme_version_retire(actor=user("jn_supervisor"), version_id=version.pk)
    return version


def _do(action: VersionAction, version: SchemeVersion | None) -> SchemeVersion:
    if action == VersionAction.DRAFT:
        return draft(month="2027-03")
    assert version is not None
    if action == VersionAction.PUBLISH:
        return publish(version)
    with clock.frozen(TODAY):
        return eval_schemes.scheme_version_retire(actor=user("jn_supervisor"), version_id=version.pk)


PAIRS = [(None, VersionAction.DRAFT)] + [
    (status, action) for status in VersionStatus for action in (VersionAction.PUBLISH, VersionAction.RETIRE)
]


@pytest.mark.parametrize(("status", "action"), PAIRS)
def test_every_status_and_action_follows_the_table(
    schemes: None, status: VersionStatus | None, action: VersionAction
) -> None:
    version = _in(status)
    expected = VERSION_TRANSITIONS.get((status, action))
    if expected is None:
        with pytest.raises(Conflict):
            _do(action, version)
        assert version is not None and SchemeVersion.objects.get(pk=version.pk).status == status
    else:
        assert _do(action, version).status == expected
