"""`yiwang worker`: the background worker (ADR 0003).

One process runs queued jobs with django-tasks-db's worker and, in a scheduler thread,
enqueues the periodic jobs of settings.PERIODIC_TASKS (ledger integration, the outbox,
deadline warnings…) when they are due. A periodic job is not enqueued again while an
earlier run of it is still waiting or running, so a slow job never piles up.

With YIWANG_TASKS_BACKEND=rq (ADR 0032) the same command runs an RQ worker on the Redis queue
instead (in-process, no fork: a job runs on this process's database connection, and a
`kill -9` of the worker is a kill of the job). Several such workers may run: each period's
enqueue is claimed once across them in Redis, and a periodic job still queued is not
enqueued again. A worker whose Redis goes away waits and reconnects.
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


class RedisScheduler(Scheduler):
    """The periodic jobs on the RQ queue: one enqueue per period across every worker (a Redis
    key set with NX that lives for the period), none while an earlier run is still queued."""

    def tick(self, now: float) -> list[str]:
        import django_rq

        queue = django_rq.get_queue("default")
        enqueued = []
        for path, (task, every) in self.jobs.items():
            if now < self.next_run[path]:
                continue
            self.next_run[path] = now + every
            try:
                if not queue.connection.set(f"yiwang:periodic:{path}", os.getpid(), nx=True, px=int(every * 1000)):
                    continue  # another worker enqueued this period's run
                if any(job.meta.get("task_path") == path for job in queue.get_jobs()):
                    continue
                result = task.enqueue()
                job = queue.fetch_job(result.id)
                if job is not None:
                    job.meta["task_path"] = path
                    job.save_meta()
                enqueued.append(path)
            except Exception:  # Redis down: logged, tried again next period
                logger.exception("could not enqueue periodic job %s", path)
        return enqueued


def _rq_worker() -> Any:
    """An in-process RQ worker that gives each job fresh-or-healthy database connections."""
    import django_rq
    from rq.worker import SimpleWorker

    class DjangoSimpleWorker(SimpleWorker):
        max_connection_wait_time = 2.0  # Redis back: dequeue again within seconds

        def execute_job(self, job: Any, queue: Any) -> Any:
            close_old_connections()
            try:
                return super().execute_job(job, queue)
            finally:
                close_old_connections()

    return django_rq.get_worker(
        "default",
        job_class="django_tasks_rq.backend.Job",
        worker_class=DjangoSimpleWorker,  # type: ignore[arg-type]  # any BaseWorker runs
        name=f"yiwang-{os.getpid()}",
    )


class Command(BaseCommand):
    help = "Run the background worker: queued jobs and periodic jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")

    def handle(self, *args: Any, interval: float, **options: Any) -> None:
        stop = threading.Event()
        if settings.TASKS_BACKEND == "rq":
            RedisScheduler(settings.PERIODIC_TASKS, stop).start()
            self.stdout.write(f"yiwang worker (RQ) started: periodic jobs {', '.join(settings.PERIODIC_TASKS)}")
            try:
                while True:  # RQ quits on some Redis errors: start again, unless told to stop
                    worker = _rq_worker()
                    worker.work(with_scheduler=False, logging_level="WARNING")
                    if getattr(worker, "_shutdown_requested_date", None) is not None:
                        break
                    time.sleep(1)
            finally:
                stop.set()
            return
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
