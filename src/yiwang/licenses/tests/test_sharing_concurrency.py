"""Two verifiers using one one-time code at the same moment (PostgreSQL row locks).

The first use is slowed down while it holds the authorisation's lock; the second must wait,
then see it used up (Conflict), never make a second use.
"""

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from yiwang.cases.tests.factories import user
from yiwang.core.errors import Conflict
from yiwang.licenses import sharing
from yiwang.licenses.models import LicenseUse
from yiwang.licenses.tests.helpers import issue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks only mean something on PostgreSQL (run with DATABASE_URL=postgres://…)")


def test_a_one_time_code_used_twice_at_once_discloses_once(world: None, monkeypatch: pytest.MonkeyPatch) -> None:
    license = issue()
    granted = sharing.authorisation_grant(
        actor=user("zhangsan"), license_id=license.pk, recipient="中国银行济南分行", purpose="办理经营贷款"
    )
    notify = sharing._notify_holder

    def slow(*args: Any) -> None:
        notify(*args)
        time.sleep(0.5)  # the winner keeps the row lock a moment longer

    monkeypatch.setattr(sharing, "_notify_holder", slow)
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = sharing.authorisation_use(
                code=granted.code,
                organisation=f"银行{index}",
                purpose="核验",
                channel="code",
                client_ip=f"192.0.2.{index + 1}",
            )
        except Exception as exc:  # collected for the assertions
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    shown = [r for r in results if isinstance(r, sharing.Disclosure)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(shown) == 1 and len(refused) == 1, results
    assert "已全部用完" in refused[0].message
    assert LicenseUse.objects.filter(authorisation_id=granted.authorisation.pk).count() == 1
