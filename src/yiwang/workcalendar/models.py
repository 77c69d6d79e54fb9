"""The audit trail of the working-day calendar (the calendar itself lives in yiwang.core)."""

from django.db import models

from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent


class CalendarEvent(DomainEvent):
    """One calendar change: who, what, which dates, on what authority (mirrored into the ledger)."""

    domain = Domain.CALENDAR
    subject_field = "year"

    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "工作日历变更记录"
