"""Two workers integrating the same log at once, as two processes (PostgreSQL only).

Every worker runs the integrator (settings.PERIODIC_TASKS); the log head's row lock lets one
batch at a time sequence entries, and the other waits and then continues from the new head.
Here two separate processes integrate in small batches while this one keeps appending:
afterwards every entry has exactly one leaf index, the indices are 0..n-1 without a gap,
each checkpoint extends the previous one, and `yiwang ledger audit` is clean.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from yiwang.ledger.models import Checkpoint, Entry, LogHead
from yiwang.ledger.services import ledger_append

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKER = """
import sys, time
from pathlib import Path
import django
django.setup()
from yiwang.ledger.integrator import ledger_integrate_batch
stop, go = Path(sys.argv[1]), Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
total = batches = 0
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    done = ledger_integrate_batch(batch_size=7)
    total += done
    batches += done > 0
    if done == 0:
        if stop.exists():
            break
        time.sleep(0.005)
print(total, batches)
"""


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_two_integrator_processes_keep_one_gapless_log(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two processes on one log need PostgreSQL (run with DATABASE_URL=postgres://…)")
    stop, go = tmp_path / "stop", tmp_path / "go"
    env = {**os.environ, "DATABASE_URL": _database_url(), "YIWANG_ENV": "test", "YIWANG_TASKS_BACKEND": "immediate"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[3]), env.get("PYTHONPATH", "")])
    env["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
    workers = [
        subprocess.Popen(  # noqa: S603 - this interpreter, our own script
            [sys.executable, "-c", WORKER, str(stop), str(go)], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    try:
        go.touch()
        for n in range(120):  # 600 entries in 120 transactions, while both integrate
            with transaction.atomic():
                for i in range(5):
                    ledger_append(kind="accounts.login", subject=f"user:{n}-{i}", payload={"n": n})
            time.sleep(0.002)
        stop.touch()
        outputs = [worker.communicate(timeout=90)[0].split() for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    integrated = [int(total) for total, _batches in outputs]
    assert sum(integrated) == 600, outputs
    assert all(int(batches) > 0 for _total, batches in outputs), f"each process integrated some batches: {outputs}"
    indexes = sorted(Entry.objects.values_list("leaf_index", flat=True))
    assert indexes == list(range(600))  # every entry once, no gap, no index given twice
    sizes = list(Checkpoint.objects.order_by("created_at", "id").values_list("tree_size", flat=True))
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes) and sizes[-1] == 600
    assert LogHead.objects.get(id=1).tree_size == 600
    call_command("ledger", "audit")  # raises CommandError on any inconsistency
