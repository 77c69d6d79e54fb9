"""Read routing to a real streaming replica (PostgreSQL; core/replica.py, ADR 0022).

A throwaway primary and a replica made from it with pg_basebackup -R. The platform, in its
own process with DATABASE_URL and DATABASE_REPLICA_URL, serves pages through Django's test
client while this test watches which connection each page read from:

- the public guide reads from the replica; the home page (not a replica route) does not;
- a client that just wrote (any unsafe request) reads its next pages from the primary;
- with the replica's replay paused and the primary written to, the replica falls behind
  more than REPLICA_MAX_LAG_SECONDS and is skipped; resumed and caught up, it is used again;
- /metrics reports the replica's lag.
"""

import pytest
from django.db import connection
from pgclusters import last_json, platform, start_primary, start_replica, tools_available, workspace

pytestmark = pytest.mark.postgres

PROBE = r"""
import json, time
import django
django.setup()
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from yiwang.core.replica import replica_lag

def reads(client, path):
    primary, replica = CaptureQueriesContext(connections["default"]), CaptureQueriesContext(connections["replica"])
    with primary, replica:
        status = client.get(path).status_code
    data = [q for q in replica.captured_queries if "pg_is_in_recovery" not in q["sql"]]
    return {"status": status, "primary": len(primary), "replica": len(data)}

def until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = replica_lag(fresh=True)
        if condition(value):
            return value
        time.sleep(0.1)
    raise SystemExit(f"replica lag never met the condition (last {value})")

seen = {}
anonymous = Client()
seen["guide"] = reads(anonymous, "/guide/")
seen["home"] = reads(anonymous, "/")
writer = Client()
writer.post("/guide/")  # any unsafe request marks the client as having written
seen["writer_guide"] = reads(writer, "/guide/")

with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT pg_wal_replay_pause()")
with connections["default"].cursor() as cursor:
    cursor.execute("CREATE TABLE probe_write (id int)")  # the primary moves on
seen["paused_lag"] = until(lambda lag: lag is not None and lag > 1)
seen["paused_guide"] = reads(anonymous, "/guide/")
exposition = anonymous.get("/metrics").content.decode().splitlines()
seen["metrics_paused"] = [line for line in exposition if line.startswith("yiwang_replica_lag_seconds")]

with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT pg_wal_replay_resume()")
seen["resumed_lag"] = until(lambda lag: lag == 0)
seen["resumed_guide"] = reads(anonymous, "/guide/")
with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'probe_write'")
    seen["replicated"] = cursor.fetchone()[0]
print(json.dumps(seen))
"""


def test_public_reads_use_the_replica_unless_the_client_wrote_or_the_replica_lags() -> None:
    if connection.vendor != "postgresql" or not tools_available():
        pytest.skip("needs PostgreSQL 15's tools (initdb, pg_basebackup) and a PostgreSQL run")
    with workspace("yiwang-replica-") as ws:
        primary = start_primary(ws, extra="max_wal_senders = 4\n")
        replica = start_replica(ws, primary)
        env = {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary}/yiwang",
            "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{replica}/yiwang",
            "YIWANG_DATA_DIR": str(ws / "data"),
            "REPLICA_MAX_LAG_SECONDS": "1",
            "REPLICA_CHECK_SECONDS": "0",
        }
        platform(["migrate", "--no-input"], env)
        platform(["createcachetable"], env)
        seen = last_json(platform(PROBE, env))

    assert seen["guide"]["status"] == 200 and seen["guide"]["replica"] > 0  # type: ignore[index]
    assert seen["home"]["status"] == 200 and seen["home"]["replica"] == 0  # type: ignore[index]
    assert seen["writer_guide"]["replica"] == 0 and seen["writer_guide"]["primary"] > 0  # type: ignore[index]
    assert float(seen["paused_lag"]) > 1  # type: ignore[arg-type]
    assert seen["paused_guide"]["status"] == 200 and seen["paused_guide"]["replica"] == 0  # type: ignore[index]
    assert seen["metrics_paused"] and float(seen["metrics_paused"][0].split()[-1]) > 1  # type: ignore[index]
    assert seen["resumed_lag"] == 0
    assert seen["resumed_guide"]["replica"] > 0  # type: ignore[index]
    assert seen["replicated"] == 1
