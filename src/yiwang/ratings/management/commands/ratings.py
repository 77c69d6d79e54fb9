"""`yiwang ratings audit`: check every rating against its ledger entry (docs/ratings.md).

Prints each rating whose grade, tags, channel, case, item, department, region, rater or
text no longer matches what its entry recorded, and fails when there is any.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.ratings.checks import ratings_audit
from yiwang.ratings.models import Rating


class Command(BaseCommand):
    help = "Audit the ratings against the ledger: every rating must match its entry."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["audit"])

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for rating, problems in ratings_audit():
            failed += 1
            self.stdout.write(f"评价 {rating.pk}（办件 {rating.case.number}）与账本不一致：{'、'.join(problems)}")
        total = Rating.objects.count()
        if failed:
            raise CommandError(f"ratings audit FAILED: {failed} of {total} rating(s) do not match the ledger")
        self.stdout.write(f"ratings audit clean: {total} rating(s) match their ledger entries")
