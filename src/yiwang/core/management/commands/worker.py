"""`yiwang worker`: the background worker (ADR 0003).

One process runs queued jobs with django-tasks-db's worker and, in a scheduler thread,
enqueues the periodic jobs of settings.PERIODIC_TASKS (ledger integration, the outbox,
deadline warnings…) when they are due. A periodic job is not enqueued again while an
earlier run of it is still waiting or running, so a slow job never piles up.
"""

import logging
import os
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("yiwang.worker")


class Scheduler(threading.Thread):
    def __init__(self, jobs: dict[str, float], stop: threading.Event) -> None:
        super().__init__(name="yiwang-scheduler", daemon=True)
        self.jobs = {path: (import_string(path), every) for path, every in jobs.items()}
        self.next_run = dict.fromkeys(self.jobs, 0.0)
        self.stop = stop

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.tick(time.monotonic())
            close_old_connections()

    def tick(self, now: float) -> list[str]:
        """Enqueue every job that is due and not already waiting or running; returns their paths."""
        enqueued = []
        for path, (task, every) in self.jobs.items():
            if now < self.next_run[path]:
                continue
            self.next_run[path] = now + every
            try:
                if not DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
                    task.enqueue()
                    enqueued.append(path)
            except Exception:  # keep scheduling the other jobs; the error is logged
                logger.exception("could not enqueue periodic job %s", path)
        return enqueued


class Command(BaseCommand):
    help = "Run the background worker: queued jobs and periodic jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")

    def handle(self, *args: Any, interval: float, **options: Any) -> None:
        stop = threading.Event()
        Scheduler(settings.PERIODIC_TASKS, stop).start()
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"yiwang-{os.getpid()}",
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"yiwang worker started: periodic jobs {', '.join(settings.PERIODIC_TASKS) or '(none)'}")
        try:
            worker.run()
        finally:
            stop.set()
