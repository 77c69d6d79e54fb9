"""Every (status × action) pair of the license table through the real services, and who may act."""

import datetime as dt
from collections.abc import Callable

import pytest

from yiwang.cases.tests.factories import user
from yiwang.core import clock
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.licenses import services
from yiwang.licenses.models import License, LicenseEvent
from yiwang.licenses.tests.helpers import issue
from yiwang.licenses.workflow import LICENSE_TRANSITIONS, LicenseAction, LicenseStatus

pytestmark = pytest.mark.django_db
A, S = LicenseAction, LicenseStatus
LATER = dt.date(2031, 3, 2)  # the day after a 5-year license of 2026-03-02 ends


def _do(action: LicenseAction, license: License) -> None:
    approver, holder = user("jn_approver"), user("zhangsan")
    run: dict[LicenseAction, Callable[[], object]] = {
        A.SUSPEND: lambda: services.license_suspend(actor=approver, license_id=license.pk, reason="整改"),
        A.RESUME: lambda: services.license_resume(actor=approver, license_id=license.pk, reason="整改完成"),
        A.REVOKE: lambda: services.license_revoke(
            actor=approver, license_id=license.pk, reason="违法经营", legal_basis="《食品安全法》第一百二十二条"
        ),
        A.CANCEL: lambda: services.license_cancel(actor=holder, license_id=license.pk, reason="停业"),
        A.SUPERSEDE: lambda: services.license_reissue(
            actor=approver, license_id=license.pk, facts={"area": "120"}, reason="经营面积变更"
        ),
    }
    if action == A.EXPIRE:
        with clock.frozen(LATER):
            services.licenses_expire_due()
    else:
        run[action]()


def _in(status: LicenseStatus) -> License:
    license = issue()
    path = {
        S.VALID: [],
        S.SUSPENDED: [A.SUSPEND],
        S.REVOKED: [A.REVOKE],
        S.CANCELLED: [A.CANCEL],
        S.EXPIRED: [A.EXPIRE],
        S.SUPERSEDED: [A.SUPERSEDE],
    }[status]
    for action in path:
        _do(action, license)
    license.refresh_from_db()
    assert license.status == status
    return license


PAIRS = [(status, action) for status in S for action in A if action != A.ISSUE]


@pytest.mark.parametrize(("status", "action"), PAIRS)
def test_every_pair_of_the_table(world: None, status: LicenseStatus, action: LicenseAction) -> None:
    license = _in(status)
    events = LicenseEvent.objects.filter(license=license).count()
    target = LICENSE_TRANSITIONS.get((status, action))
    if target is None and action != A.EXPIRE:
        with pytest.raises(Conflict, match=f"当前状态为“{status.label}”，不能{action.label}"):
            _do(action, license)
    else:
        _do(action, license)  # the expiry job passes over a license it may not expire
    license.refresh_from_db()
    assert license.status == (target or status)
    assert LicenseEvent.objects.filter(license=license).count() == events + (target is not None)


def test_a_reissue_is_a_new_version_with_the_same_serial(world: None) -> None:
    old = issue()
    new = services.license_reissue(
        actor=user("jn_approver"), license_id=old.pk, facts={"area": "120"}, reason="经营面积变更"
    )
    old.refresh_from_db()
    assert old.status == S.SUPERSEDED and old.superseded_by == new
    assert (new.serial, new.version, new.status) == (old.serial, 2, S.VALID)
    assert new.identifier.split(".")[-2] == "002" and new.identifier != old.identifier
    assert new.facts["area"] == "120" and new.facts["shop_name"] == "泉城小馆"


def test_expiry_job_ends_licenses_the_day_after_their_validity(world: None) -> None:
    license = issue()
    with clock.frozen(dt.date(2031, 3, 1)):
        assert services.licenses_expire_due() == 0
    with clock.frozen(LATER):
        assert services.licenses_expire_due() == 1
    license.refresh_from_db()
    assert license.status == S.EXPIRED


@pytest.mark.parametrize(
    ("who", "action", "allowed"),
    [
        ("zhangsan", A.CANCEL, True),
        ("lisi", A.CANCEL, False),
        ("jn_approver", A.CANCEL, False),
        ("jn_approver", A.REVOKE, True),
        ("jn_reviewer", A.REVOKE, False),
        ("zhangsan", A.REVOKE, False),
        ("zhangsan", A.SUSPEND, False),
    ],
)
def test_who_may_act(world: None, who: str, action: LicenseAction, allowed: bool) -> None:
    license = issue()
    service = services.license_cancel if action == A.CANCEL else getattr(services, f"license_{action.value}")
    extra = {"legal_basis": "依据"} if action == A.REVOKE else {}
    if allowed:
        service(actor=user(who), license_id=license.pk, reason="理由", **extra)
    else:
        with pytest.raises(PermissionDenied):
            service(actor=user(who), license_id=license.pk, reason="理由", **extra)


def test_a_reason_is_required(world: None) -> None:
    license = issue()
    with pytest.raises(ValidationFailed) as info:
        services.license_revoke(actor=user("jn_approver"), license_id=license.pk, reason="  ", legal_basis="")
    assert info.value.errors == {"reason": ["理由：必填"]}
