"""`yiwang load_demo`: load (or complete) the demo world. Safe to run again."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from yiwang.demo import world
from yiwang.demo.cases import load_cases
from yiwang.workcalendar.services import calendar_years_seed


class Command(BaseCommand):
    help = "Load the demo world (regions, departments, personas, catalog, cases in every state). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        years = calendar_years_seed(years=settings.CALENDAR_SEED_YEARS)
        created = world.load_world()
        cases = load_cases()
        self.stdout.write(f"工作日历：新增 {years} 个年度；演示数据新增：{created}")
        skipped = f"（未创建：{cases['skipped']}）" if cases["skipped"] else ""
        self.stdout.write(f"演示办件：新增 {cases['cases']} 件{skipped}")
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {world.DEMO_PASSWORD}）：")
        for username, description in world.logins():
            self.stdout.write(f"  {username:<18} {description}")
