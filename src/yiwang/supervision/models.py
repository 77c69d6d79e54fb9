"""Roll-ups of the case engine's events, so that figures never scan the case table.

`DailyFigures` holds per (day × department × region × item) how many things happened that
day; `StatusCount` holds how many cases stand in each state right now. Both are kept by
`rollup.observe` inside the transaction of the event, and rebuilt from the events by
`yiwang supervision rebuild`. The formulas that read them live in `metrics`.
"""

from django.db import models

from yiwang.accounts.models import Department, Region

# The item code of the rows that hold every item of a day, department and region together
# (DailyFigures, DailyRatings): a dashboard without an item filter reads one row per
# department and day instead of one per item (bench/supervision_bench.py: 10M cases).
ALL_ITEMS = ""


class Dimensions(models.Model):
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="实施主体")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="实施区划")
    item_code = models.CharField("事项基本编码", max_length=20)

    class Meta:
        abstract = True


class Counters(models.Model):
    """What happened to cases in one period and place: the counters the figures are made of."""

    submitted = models.PositiveIntegerField("提交", default=0)
    submitted_online = models.PositiveIntegerField("网上提交", default=0)
    accepted = models.PositiveIntegerField("受理", default=0)
    refused = models.PositiveIntegerField("不予受理", default=0)
    supplement_requests = models.PositiveIntegerField("补正告知", default=0)
    approved = models.PositiveIntegerField("准予许可", default=0)
    denied = models.PositiveIntegerField("不予许可", default=0)
    decided_by_rule = models.PositiveIntegerField("秒批", default=0)
    withdrawn = models.PositiveIntegerField("撤回", default=0)
    revoked = models.PositiveIntegerField("撤销", default=0)
    concluded = models.PositiveIntegerField("办结", default=0)
    concluded_on_time = models.PositiveIntegerField("按法定时限办结", default=0)
    concluded_within_commitment = models.PositiveIntegerField("按承诺时限办结", default=0)
    concluded_zero_visit = models.PositiveIntegerField("零跑腿办结", default=0)
    # Working days used by the cases concluded that day, and the limits they had (statutory
    # and committed), for averages and the compression ratio; `days_histogram` maps working
    # days used → cases, for percentiles.
    days_used = models.PositiveIntegerField("用时（工作日）合计", default=0)
    statutory_days = models.PositiveIntegerField("法定时限合计", default=0)
    committed_days = models.PositiveIntegerField("承诺时限合计", default=0)
    days_histogram = models.JSONField("用时分布", default=dict)
    warnings = models.PositiveIntegerField("黄牌预警", default=0)
    overdue = models.PositiveIntegerField("红牌超期", default=0)

    class Meta:
        abstract = True


class DailyFigures(Dimensions, Counters):
    """What happened on one day to the cases of one item in one department and region (and,
    with item_code ALL_ITEMS, to the cases of all its items)."""

    day = models.DateField("日期")

    class Meta:
        verbose_name = verbose_name_plural = "每日办件统计"
        constraints = [
            models.UniqueConstraint(fields=["day", "department", "region", "item_code"], name="daily_figures_key")
        ]
        indexes = [
            models.Index(fields=["department", "day"], name="daily_figures_department"),
            models.Index(fields=["item_code", "day"], name="daily_figures_item"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.item_code} @{self.department_id}"


class MonthlyFigures(Counters):
    """The rows of all items (ALL_ITEMS) of DailyFigures summed per calendar month: a period
    reads its full months here and only its partial first and last months from the days
    (metrics), so a province's year is ~4,000 rows instead of ~128,000. Kept by the same
    observer and rebuild as the days; `month` is the month's first day."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="实施主体")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="实施区划")
    month = models.DateField("月份（首日）")

    class Meta:
        verbose_name = verbose_name_plural = "每月办件统计（全部事项）"
        constraints = [models.UniqueConstraint(fields=["month", "department", "region"], name="monthly_figures_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} @{self.department_id}"


class StatusCount(Dimensions):
    """How many cases of one item in one department and region stand in `state` now (named
    so because it is a count, not a status field: tests/test_status_transitions.py)."""

    state = models.CharField("状态", max_length=24)
    cases = models.IntegerField("办件数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "办件状态计数"
        constraints = [
            models.UniqueConstraint(fields=["department", "region", "item_code", "state"], name="status_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.item_code} @{self.department_id} {self.state}: {self.cases}"


class DailyRatings(Dimensions):
    """好差评 of one rating day (the day the rating was given, as ratings.selectors counts it):
    ratings, bad reviews and bad reviews put right, without ratings an upheld appeal excluded."""

    day = models.DateField("评价日期")
    rated = models.IntegerField("评价数", default=0)
    bad = models.IntegerField("差评数", default=0)
    put_right = models.IntegerField("已整改差评数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "每日好差评统计"
        constraints = [
            models.UniqueConstraint(fields=["day", "department", "region", "item_code"], name="daily_ratings_key")
        ]
        indexes = [
            models.Index(fields=["department", "day"], name="daily_ratings_department"),
            # The rows of all items (ALL_ITEMS) of a period, as DailyFigures' item index reads them.
            models.Index(fields=["item_code", "day"], name="daily_ratings_item"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.item_code} @{self.department_id}: {self.rated}"


from yiwang.supervision.eval_models import *  # noqa: F403,E402
from yiwang.supervision.rule_models import *  # noqa: F403,E402
