"""The platform's clock: one place to ask for "now", frozen in tests.

Code never calls datetime.now()/timezone.now() directly; it calls `now()` or `today()`,
so a test can freeze time with `frozen(...)` and legal deadlines can be checked at any date.
"""

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator

from django.utils import timezone

_state = threading.local()


def now() -> dt.datetime:
    frozen_at: dt.datetime | None = getattr(_state, "frozen_at", None)
    return frozen_at if frozen_at is not None else timezone.now()


def today() -> dt.date:
    """Today in the platform's time zone (Asia/Shanghai), the day legal limits count in."""
    return timezone.localtime(now()).date()


@contextlib.contextmanager
def frozen(at: dt.datetime | dt.date) -> Iterator[None]:
    """Freeze the clock at `at` (a date means 09:00 local time that day)."""
    if isinstance(at, dt.datetime):
        moment = at if timezone.is_aware(at) else timezone.make_aware(at)
    else:
        moment = timezone.make_aware(dt.datetime.combine(at, dt.time(9, 0)))
    previous = getattr(_state, "frozen_at", None)
    _state.frozen_at = moment
    try:
        yield
    finally:
        _state.frozen_at = previous
