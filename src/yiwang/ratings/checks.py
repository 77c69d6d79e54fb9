"""A rating against its ledger entry: what the entry does not confirm (docs/ratings.md).

The entry, written in the rating's transaction, holds the public facts (case, item,
department, region, channel, grade, tags) and salted commitments to the rater and the text;
the salts stay on the server. `rating_problems` recomputes them, so a grade, a tag, the text
or the rater changed in the table afterwards shows as a named problem; `ratings_audit` runs
it over every rating (`yiwang ratings audit`).
"""

from collections.abc import Iterator, Sequence

from yiwang.ledger import selectors as ledger
from yiwang.ledger.events import Domain, RatingVerb, event_type
from yiwang.ratings.models import Rating
from yiwang.ratings.services import rating_payload, rating_personal

KIND = event_type(Domain.RATINGS, RatingVerb.RATED).kind
_LABELS = {
    "case": "办件",
    "item": "事项",
    "department": "部门",
    "region": "区划",
    "channel": "渠道",
    "grade": "评价等级",
    "tags": "标签",
    "recorded": "代录",
}


def _problems(rating: Rating, salted: ledger.SaltedEntry | None) -> list[str]:
    if salted is None:
        return ["账本中没有该评价的条目"]
    problems = []
    if salted.entry.kind != KIND or salted.entry.subject != f"rating:{rating.case.number}/{rating.family}":
        problems.append("账本条目不是该办件的评价")
    expected = rating_payload(rating)
    problems += [label for key, label in _LABELS.items() if salted.payload.get(key) != expected[key]]
    problems += [
        {"rater": "评价人", "text": "评价内容"}[name]
        for name, value in rating_personal(rating).items()
        if not salted.commits_to(name, value)
    ]
    return problems


def rating_problems(ratings: Sequence[Rating]) -> dict[int, list[str]]:
    """For each rating (by id) what its ledger entry does not confirm ([] when it matches)."""
    entries = ledger.salted_entries(rating.ledger_entry_id for rating in ratings)
    return {rating.pk: _problems(rating, entries.get(rating.ledger_entry_id)) for rating in ratings}


def ratings_audit(*, chunk: int = 2000) -> Iterator[tuple[Rating, list[str]]]:
    """Every rating whose entry does not confirm it, with why."""
    query = Rating.objects.select_related(
        "case", "department", "region", "implementation_version__item_version__item"
    ).order_by("pk")
    last = 0
    while True:
        batch = list(query.filter(pk__gt=last)[:chunk])
        if not batch:
            return
        found = rating_problems(batch)
        for rating in batch:
            if found[rating.pk]:
                yield rating, found[rating.pk]
        last = batch[-1].pk
