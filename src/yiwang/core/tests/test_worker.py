"""The worker's scheduler enqueues periodic jobs on time and never piles them up."""

import threading

import pytest
from django.test import override_settings
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from yiwang.core.management.commands.worker import Scheduler

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_due_jobs_are_enqueued_once_until_they_have_run() -> None:
    task_backends._settings = None  # type: ignore[attr-defined]
    task_backends._connections = threading.local()  # type: ignore[attr-defined]
    try:
        scheduler = Scheduler({"yiwang.ledger.tasks.integrate": 2.0}, threading.Event())
        assert scheduler.tick(100.0) == ["yiwang.ledger.tasks.integrate"]
        assert scheduler.tick(101.0) == []  # not due yet
        assert scheduler.tick(102.5) == []  # due, but the first run is still waiting
        assert DBTaskResult.objects.filter(task_path="yiwang.ledger.tasks.integrate").count() == 1
        DBTaskResult.objects.update(status="SUCCESSFUL")
        assert scheduler.tick(105.0) == ["yiwang.ledger.tasks.integrate"]
    finally:
        task_backends._settings = None  # type: ignore[attr-defined]
        task_backends._connections = threading.local()  # type: ignore[attr-defined]
