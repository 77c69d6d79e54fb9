from django.contrib import admin
from django.db import transaction

from yiwang.core.calendar import calendar_changed
from yiwang.core.models import CalendarDay, CalendarYear


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "updated_at"]
    inlines = [CalendarDayInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        transaction.on_commit(calendar_changed)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(calendar_changed)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_working_day"]
    list_filter = ["calendar_year", "is_working_day"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(calendar_changed)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(calendar_changed)
