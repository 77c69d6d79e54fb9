"""The working-day calendar as data an administrator can edit.

A year is official once its `CalendarYear` row is published (`published_at` set); its
exceptions to the Monday–Friday rule are `CalendarDay` rows: statutory holidays on weekdays
and 调休 weekend days that are working days. Seeded from chinese-calendar for the years it
knows; later years are entered by an administrator as a draft from the State Council notice
and then published (services in yiwang.workcalendar). Until then the year is projected
(provisional.py) and its dates are marked 暂定.
"""

from django.db import models


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("依据", max_length=200, help_text="例如：国务院办公厅关于2027年部分节假日安排的通知")
    note = models.TextField("备注", blank=True)
    published_at = models.DateTimeField(
        "发布时间",
        null=True,
        blank=True,
        editable=False,
        help_text="发布后该年度按官方安排计算；未发布时按暂定日历计算",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工作日历年度"
        verbose_name_plural = "工作日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} 年"


class CalendarDay(models.Model):
    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name="年度")
    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日", help_text="勾选：调休上班的周末；不勾选：法定节假日")
    name = models.CharField("名称", max_length=50, blank=True, help_text="例如：春节、国庆节调休上班")

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "上班" if self.is_working_day else "放假"
        return f"{self.date} {self.name} {kind}"
