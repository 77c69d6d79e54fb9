"""The working-day calendar in the back office, writing only through yiwang.workcalendar.services.

Django's admin wraps a form submission in one transaction; the calendar services are durable
(outermost) transactions, so the add/change/delete views here run without that wrapper and
each day entered or removed is its own audited change. Bulk deletes and the 发布 action go
through the same services one year or day at a time (never a queryset delete).
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from yiwang.core.calendar import working_calendar
from yiwang.core.errors import DomainError
from yiwang.core.models import CalendarDay, CalendarYear
from yiwang.core.workdays import YearNotConfigured, holiday_label
from yiwang.workcalendar import services
from yiwang.workcalendar.models import CalendarEvent


class _ServiceWrites:
    """Run the admin's views without its outer transaction (the services open their own)."""

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined]

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        return self._delete_view(request, object_id, extra_context)  # type: ignore[attr-defined]


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_working_day", "name"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, working = data.get("date"), data.get("is_working_day")
        if day is not None and working and day.weekday() < 5:
            self.add_error(
                "is_working_day", f"是否工作日：{day} 是周一至周五，本来就是工作日，只有调休上班的周末需要录入"
            )
        return data


class YearDayForm(CalendarDayForm):
    """A day entered on its year's page: it must lie in that year."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, year = data.get("date"), getattr(self.instance, "calendar_year", None)
        if day is not None and year is not None and day.year != year.year:
            self.add_error("date", f"日期：须在 {year.year} 年内")
        return data


class StandaloneDayForm(CalendarDayForm):
    """A day entered on its own: its year must already exist."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day = data.get("date")
        if day is not None and not CalendarYear.objects.filter(year=day.year).exists():
            self.add_error("date", f"日期：工作日历中没有 {day.year} 年度，请先新增该年度")
        return data


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    form = YearDayForm
    fields = ["date", "is_working_day", "name"]
    extra = 3


def _set_day(request: HttpRequest, form: forms.ModelForm, old: CalendarDay | None) -> None:
    day = form.cleaned_data["date"]
    if old is not None and old.date != day:
        services.calendar_day_clear(actor=request.user, day=old.date)
    services.calendar_day_set(
        actor=request.user, day=day, is_working_day=form.cleaned_data["is_working_day"], name=form.cleaned_data["name"]
    )


@admin.register(CalendarYear)
class CalendarYearAdmin(_ServiceWrites, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["year", "status", "source", "updated_at"]
    fields = ["year", "source", "note", "published_at"]
    readonly_fields = ["published_at"]
    inlines = [CalendarDayInline]
    actions = ["publish_selected"]

    @admin.display(description="状态")
    def status(self, obj: CalendarYear) -> str:
        return "已发布（官方）" if obj.published_at else "草稿（未生效，按暂定日历计算）"

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarYear | None = None) -> list[str]:
        return ["year", "source", "note", "published_at"] if obj is not None else ["published_at"]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        calendar = working_calendar()
        for year in sorted(calendar.provisional_years):
            messages.info(
                request,
                f"{year} 年：尚无已发布的国务院办公厅节假日安排，平台按暂定日历计算"
                f"（{provisional_summary(year)}），据此算出的办结日期均标注“暂定”。"
                "录入官方安排并发布后，所有在办事项的期限将自动重新计算。",
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        if change:
            return  # year, source and note are read-only once added; days go through save_formset
        created = services.calendar_year_add(actor=request.user, year=obj.year, source=obj.source, note=obj.note)
        obj.pk = created.pk

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # What Django's formset.save() would record, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for item in formset.deleted_forms:
            if item.instance.pk is not None:
                services.calendar_day_clear(actor=request.user, day=item.instance.date)
                formset.deleted_objects.append(item.instance)
        for item in formset.forms:
            if item in formset.deleted_forms or not item.has_changed() or not item.cleaned_data:
                continue
            old = CalendarDay.objects.filter(pk=item.instance.pk).first() if item.instance.pk else None
            _set_day(request, item, old)
            saved = CalendarDay.objects.get(date=item.cleaned_data["date"])
            if old is None:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, item.changed_data))

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        services.calendar_year_remove(actor=request.user, year=obj.year)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for year in list(queryset.values_list("year", flat=True)):
            services.calendar_year_remove(actor=request.user, year=year)

    @admin.action(description="发布所选年度（按官方安排生效，重新计算在办事项期限）")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for year in list(queryset.values_list("year", flat=True)):
            try:
                services.calendar_year_publish(actor=request.user, year=year)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{year} 年工作日历已发布，在办事项期限正在重新计算。")


@admin.register(CalendarDay)
class CalendarDayAdmin(_ServiceWrites, admin.ModelAdmin):  # type: ignore[misc]
    form = StandaloneDayForm
    list_display = ["date", "name", "is_working_day", "calendar_year"]
    list_filter = ["calendar_year", "is_working_day"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        old = CalendarDay.objects.filter(pk=obj.pk).first() if change else None
        _set_day(request, form, old)
        obj.pk = CalendarDay.objects.get(date=form.cleaned_data["date"]).pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.calendar_day_clear(actor=request.user, day=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in list(queryset.values_list("date", flat=True)):
            services.calendar_day_clear(actor=request.user, day=day)


@admin.register(CalendarEvent)
class CalendarEventAdmin(admin.ModelAdmin):
    list_display = ["at", "verb", "year", "actor", "source", "ledger_entry_id"]
    list_filter = ["verb", "year"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def provisional_summary(year: int) -> str:
    """ "元旦假期 2027-01-01、春节假期 2027-02-04 至 2027-02-09、…" for the projected `year`."""
    calendar = working_calendar()
    first = dt.date(year, 1, 1)
    try:
        runs = calendar.explain_skipped(first - dt.timedelta(days=1), dt.date(year, 12, 31))
    except YearNotConfigured:  # the year before is not configured: 1 January cannot be shown
        runs = calendar.explain_skipped(first, dt.date(year, 12, 31))
    return "、".join(holiday_label(a, b, name) for a, b, name in runs if name)
