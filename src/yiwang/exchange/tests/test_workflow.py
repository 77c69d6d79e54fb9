"""Every (status × action) pair of the demand and grant tables through the real services."""

import datetime as dt
from collections.abc import Callable

import pytest

from yiwang.core import clock
from yiwang.core.errors import Conflict
from yiwang.exchange import services
from yiwang.exchange.models import Demand, Grant
from yiwang.exchange.tests.helpers import approval_steward, demand, market_steward
from yiwang.exchange.workflow import (
    DEMAND_TRANSITIONS,
    GRANT_TRANSITIONS,
    DemandAction,
    DemandStatus,
    GrantAction,
    GrantStatus,
)

pytestmark = pytest.mark.django_db
DA, DS, GA, GS = DemandAction, DemandStatus, GrantAction, GrantStatus
FAR = dt.date(2030, 1, 1)


def _demand_do(action: DemandAction, filed: Demand) -> None:
    run: dict[DemandAction, Callable[[], object]] = {
        DA.APPROVE: lambda: services.demand_approve(actor=market_steward(), demand_id=filed.pk),
        DA.REFUSE: lambda: services.demand_refuse(actor=market_steward(), demand_id=filed.pk, answer="无依据"),
        DA.WITHDRAW: lambda: services.demand_withdraw(actor=approval_steward(), demand_id=filed.pk, reason="不再需要"),
    }
    if action == DA.LAPSE:
        with clock.frozen(filed.due_on + dt.timedelta(days=1)):
            assert services.demands_lapse_due() == (1 if filed.status == DS.FILED else 0)
    else:
        run[action]()


DEMAND_PAIRS = [(s, a) for s in DS for a in DA if a != DA.FILE]


@pytest.mark.parametrize(("status", "action"), DEMAND_PAIRS)
def test_every_demand_pair(world: None, status: DemandStatus, action: DemandAction) -> None:
    filed = demand(valid_until=FAR)
    if status != DS.FILED:
        _demand_do(
            {DS.APPROVED: DA.APPROVE, DS.REFUSED: DA.REFUSE, DS.LAPSED: DA.LAPSE, DS.WITHDRAWN: DA.WITHDRAW}[status],
            filed,
        )
    filed.refresh_from_db()
    assert filed.status == status
    target = DEMAND_TRANSITIONS.get((status, action))
    if target is None and action != DA.LAPSE:
        with pytest.raises(Conflict):
            _demand_do(action, filed)
    else:
        _demand_do(action, filed)
    filed.refresh_from_db()
    assert filed.status == (target or status)


def _grant_do(action: GrantAction, grant: Grant) -> None:
    steward = market_steward()
    run: dict[GrantAction, Callable[[], object]] = {
        GA.SUSPEND: lambda: services.grant_suspend(actor=steward, grant_id=grant.pk, reason="核查数据使用情况"),
        GA.RESUME: lambda: services.grant_resume(actor=steward, grant_id=grant.pk, reason="核查完毕"),
        GA.REVOKE: lambda: services.grant_revoke(actor=steward, grant_id=grant.pk, reason="超范围使用"),
    }
    if action == GA.EXPIRE:
        with clock.frozen(FAR + dt.timedelta(days=1)):
            services.grants_expire_due()
    else:
        run[action]()


GRANT_PAIRS = [(s, a) for s in GS for a in GA if a != GA.GRANT]


@pytest.mark.parametrize(("status", "action"), GRANT_PAIRS)
def test_every_grant_pair(world: None, status: GrantStatus, action: GrantAction) -> None:
    filed = demand(valid_until=FAR)
    grant = services.demand_approve(actor=market_steward(), demand_id=filed.pk)
    path = {GS.ACTIVE: [], GS.SUSPENDED: [GA.SUSPEND], GS.REVOKED: [GA.REVOKE], GS.EXPIRED: [GA.EXPIRE]}[status]
    for step in path:
        _grant_do(step, grant)
    grant.refresh_from_db()
    assert grant.status == status
    target = GRANT_TRANSITIONS.get((status, action))
    if target is None and action != GA.EXPIRE:
        with pytest.raises(Conflict):
            _grant_do(action, grant)
    else:
        _grant_do(action, grant)
    grant.refresh_from_db()
    assert grant.status == (target or status)


def test_only_the_provider_moves_a_grant(world: None) -> None:
    from yiwang.core.errors import PermissionDenied

    grant = services.demand_approve(actor=market_steward(), demand_id=demand().pk)
    with pytest.raises(PermissionDenied):
        services.grant_revoke(actor=approval_steward(), grant_id=grant.pk, reason="x")
