"""Extension point of 好差评 for the apps above it (supervision keeps its satisfaction roll-up
here, as it does for cases through cases.hooks — ADR 0017, 0018).

- `register_rating_observer(fn)`: `fn(rating, event)` is called for every event of a rating
  (given, fixed, rectified, appeal upheld, …) right after the event row, inside the same
  transaction. An observer that raises rolls the change back with it.
"""

from collections.abc import Callable

from yiwang.ratings.models import Rating, RatingEvent

RatingObserver = Callable[[Rating, RatingEvent], None]
_OBSERVERS: list[RatingObserver] = []


def register_rating_observer(observer: RatingObserver) -> None:
    if observer not in _OBSERVERS:
        _OBSERVERS.append(observer)


def rating_event_written(rating: Rating, event: RatingEvent) -> None:
    for observer in _OBSERVERS:
        observer(rating, event)
