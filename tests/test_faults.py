"""Faults against the production shape (yiwang.demo.cluster, ADR 0032): nothing is lost.

One cluster for the module: PostgreSQL primary + synchronous streaming replica, PgBouncer in transaction
pooling, a private Redis (cache and the RQ queue), two granian web processes behind HAProxy,
two `yiwang worker` processes on RQ, the local SMS gateway. Three applicants submit cases
through the API (each with its own Idempotency-Key, retried with the same key until the API
answers 201) while one fault happens:

- a web process is killed with SIGKILL while requests are in flight;
- a worker is killed with SIGKILL while SMS sends hang in the gateway (mid-delivery) and
  while the ledger integration runs (mid-integration);
- PostgreSQL is restarted under load;
- Redis is stopped for a few seconds and started again;
- last, the primary is lost and the replica promoted (PgBouncer pointed at it).

After each: the platform answers ready through the proxy again within seconds, with no
hand; every case a client was told about exists exactly once, and no other case does; the
ledger integrates everything and `yiwang ledger audit` is clean; every receipt SMS reaches the
gateway exactly once (its record file is counted), none is left pending.
"""

import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from yiwang.demo.pgtools import tools_available

pytestmark = pytest.mark.postgres

CLIENTS = 3
SETUP = r"""
import json, secrets
import django
django.setup()
from django.test import Client
from yiwang.accounts.models import User
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.demo.world import load_world

load_world()
version = ImplementationVersionFactory(materials=[])
with_materials = ImplementationVersionFactory()
clients = []
for n in range(%(clients)d):
    user = User.objects.create_user(username=f"fault{n}", password=secrets.token_urlsafe(16),
                                    phone=f"1380000{n:04d}", notify_by_sms=True)
    web = Client()
    web.force_login(user)
    clients.append({"username": user.username, "session": web.cookies["sessionid"].value})
print(json.dumps({"version": version.pk, "with_materials": with_materials.pk, "clients": clients}))
"""
POOLED = r"""
import json
import django
django.setup()
from django.db import connection
from yiwang.accounts.models import User
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    timeout = cursor.fetchone()[0]
same = [User.objects.filter(username__startswith="fault").count() for _ in range(20)]  # psycopg would prepare it
chunks = [len(list(User.objects.order_by("pk").iterator(chunk_size=2))) for _ in range(2)]
print(json.dumps({"statement_timeout": timeout, "same": sorted(set(same)), "chunks": chunks,
                  "server_side_cursors": not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")}))
"""
STORED = r"""
import hashlib, json
import django
django.setup()
from django.core.files.storage import default_storage
from yiwang.cases.models import CaseMaterial
rows = CaseMaterial.objects.filter(uploaded_by__username__startswith="fault")
whole = bad = 0
for row in rows:
    with default_storage.open(row.storage_name) as stored:
        ok = hashlib.sha256(stored.read()).hexdigest() == row.sha256
    whole, bad = whole + ok, bad + (not ok)
print(json.dumps({"rows": rows.count(), "whole": whole, "bad": bad}))
"""
FACTS = r"""
import json
import django
django.setup()
from yiwang.cases.models import Case
from yiwang.ledger.models import Entry
from yiwang.notifications.models import Message
cases = list(Case.objects.filter(applicant__username__startswith="fault").exclude(idempotency_key="")
             .values_list("idempotency_key", "number"))
sms = Message.objects.filter(channel="sms", recipient__username__startswith="fault")
print(json.dumps({
    "cases": cases,
    "pending_entries": Entry.objects.filter(leaf_index__isnull=True).count(),
    "sms_pending": sms.filter(status="pending").count(),
    "sms_sent": sms.filter(status="sent").count(),
    "sms_failed": sms.exclude(status__in=["pending", "sent"]).count(),
}))
"""


def _cluster_or_skip() -> Any:
    import shutil

    if connection.vendor != "postgresql" or not tools_available():
        pytest.skip("needs PostgreSQL 15's tools and a PostgreSQL run")
    if not (shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists()):
        pytest.skip("needs pgbouncer and haproxy: scripts/ensure-pgbouncer")
    from yiwang.demo.cluster import Cluster

    return Cluster(web=2, workers=2, env={"YIWANG_ENV": "test", "NOTIFICATIONS_CLAIM_LEASE_SECONDS": "12"})


@dataclass
class World:
    cluster: Any
    version: int
    with_materials: int
    sessions: list[str]
    told: dict[str, str] = field(default_factory=dict)  # idempotency key -> case number

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.cluster.ports['proxy']}"

    def facts(self) -> dict[str, Any]:
        return json.loads(self.cluster.platform_command([], direct=True, script=FACTS).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    cluster = _cluster_or_skip()
    try:
        cluster.start()
        out = cluster.platform_command([], direct=True, script=SETUP % {"clients": CLIENTS})
        setup = json.loads(out.strip().splitlines()[-1])
        yield World(cluster, setup["version"], setup["with_materials"], [c["session"] for c in setup["clients"]])
    finally:
        cluster.stop()


class Applicant(threading.Thread):
    """Submits cases one after another; each is retried with its key until answered 201."""

    def __init__(self, world: World, index: int, stop: threading.Event, tag: str) -> None:
        super().__init__(daemon=True)
        self.world, self.index, self.stop, self.tag = world, index, stop, tag
        self.told: dict[str, str] = {}
        self.retries = 0
        self.unfinished = ""
        jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.csrf = "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32))
        self.cookie = f"sessionid={world.sessions[index]}; csrftoken={self.csrf}"

    def submit(self, key: str) -> str | None:
        body = {
            "implementation_version_id": self.world.version,
            "form_data": {"shop_name": f"小馆{key}", "area": "50", "has_kitchen": False, "rented": False},
        }
        request = urllib.request.Request(  # noqa: S310 - the cluster on 127.0.0.1
            f"{self.world.url}/api/v1/cases/submit",
            data=json.dumps(body, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": key,
                "Cookie": self.cookie,
                "X-CSRFToken": self.csrf,
                "Referer": self.world.url + "/",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                if response.status == 201:
                    return str(json.loads(response.read())["number"])
        except (urllib.error.URLError, OSError, ValueError):
            pass
        return None

    def _call(self, path: str, data: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(  # noqa: S310 - the cluster on 127.0.0.1
            f"{self.world.url}/api/v1/cases/{path}",
            data=data,
            method="POST",
            headers={"Content-Type": content_type, "Cookie": self.cookie, "X-CSRFToken": self.csrf},
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, {}

    def draft(self, version: int) -> str:
        body = {"implementation_version_id": version, "form_data": {"shop_name": "满盘小馆", "area": "50"}}
        status, answer = self._call("drafts", json.dumps(body, ensure_ascii=False).encode(), "application/json")
        assert status == 201, (status, answer)
        return str(answer["ref"])

    def upload(self, ref: str, content: bytes) -> int:
        boundary = "yiwang-fault-boundary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="material_key"\r\n\r\napplication\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="application.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self._call(f"drafts/{ref}/materials", body, f"multipart/form-data; boundary={boundary}")[0]

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            key = f"{self.tag}-{self.index}-{n}"
            self.unfinished = key
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                number = self.submit(key)
                if number is not None:
                    self.told[key] = number
                    break
                self.retries += 1
                time.sleep(0.3)
            self.unfinished = ""


def _load(world: World, tag: str, fault: Any, *, before: float = 1.5, after: float = 2.5) -> dict[str, Any]:
    """Run the applicants, do `fault` after `before` s, go on `after` s, wait for them to finish."""
    stop = threading.Event()
    applicants = [Applicant(world, i, stop, tag) for i in range(CLIENTS)]
    for a in applicants:
        a.start()
    time.sleep(before)
    fault()
    start = time.monotonic()
    ready = _ready_within(world, 20)  # while the applicants go on
    time.sleep(max(0.0, after - (time.monotonic() - start)))
    stop.set()
    for a in applicants:
        a.join(timeout=90)
    assert not any(a.is_alive() for a in applicants), "an applicant never got an answer for its case"
    told = {k: v for a in applicants for k, v in a.told.items()}
    world.told.update(told)
    return {"told": len(told), "retries": sum(a.retries for a in applicants), "ready_after": round(ready, 1)}


def _ready_within(world: World, seconds: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            with urllib.request.urlopen(f"{world.url}/api/v1/health/ready", timeout=3) as response:  # noqa: S310
                if response.status == 200:
                    return time.monotonic() - start
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"not ready through the proxy within {seconds} s")


def _settled(world: World, seconds: float = 60) -> dict[str, Any]:
    """The facts once the ledger and the SMS outbox are drained (or the last seen)."""
    deadline = time.monotonic() + seconds
    while True:
        facts = world.facts()
        if (facts["pending_entries"] == 0 and facts["sms_pending"] == 0) or time.monotonic() > deadline:
            return facts
        time.sleep(1)


def _observed(what: str, **facts: Any) -> None:
    """What a fault did, for docs/operations.md's fault matrix (pytest -s shows it)."""
    print(f"\nfault {what}: {json.dumps(facts, ensure_ascii=False)}")


def _nothing_lost(world: World) -> dict[str, Any]:
    facts = _settled(world)
    cases = dict(facts["cases"])
    assert len(facts["cases"]) == len(cases), "two cases carry one idempotency key"
    assert cases == world.told, "the cases in the database are not the ones the applicants were told"
    assert facts["pending_entries"] == 0, "ledger entries were never integrated"
    assert facts["sms_pending"] == 0 and facts["sms_failed"] == 0, facts
    sent = [json.loads(line) for line in world.cluster.sms_record.read_text().splitlines() if line]
    per_case = {number: sum(number in m["text"] for m in sent) for number in world.told.values()}
    assert set(per_case.values()) == {1}, {n: c for n, c in per_case.items() if c != 1}
    assert facts["sms_sent"] == len(world.told) == len(sent)
    audit = world.cluster.platform_command(["ledger", "audit"], direct=True)
    assert "ledger audit clean" in audit, audit  # a problem fails the command (CommandError)
    return facts


def test_pooled_connections_keep_no_session_state(world: World) -> None:
    """Through PgBouncer in transaction pooling: the web pool carries the request budget (its
    connect_query), the worker pool does not; repeated queries (psycopg prepares a query run
    5 times on a server-binding cursor) and chunked iteration (a server-side cursor lives in
    one session) work, however the pooler hands out server connections."""
    cluster = world.cluster
    web = json.loads(_run(cluster, cluster.web_env(), POOLED))
    worker = json.loads(_run(cluster, cluster.worker_env(), POOLED))
    assert web["statement_timeout"] == "5s" and worker["statement_timeout"] == "0"
    assert web["same"] == [CLIENTS] and web["chunks"][0] == web["chunks"][1] > CLIENTS
    assert not web["server_side_cursors"] and not worker["server_side_cursors"]


def _run(cluster: Any, env: dict[str, str], script: str) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_kill_9_a_web_process_mid_request(world: World) -> None:
    load = _load(world, "web", lambda: world.cluster.kill("web1"))
    assert load["told"] > 0
    assert _ready_within(world, 10) < 10
    facts = _nothing_lost(world)
    _observed("kill -9 web", **load, sms_sent=facts["sms_sent"])


def test_kill_9_a_worker_mid_delivery_and_mid_integration(world: World) -> None:
    sms = world.cluster.ports["sms"]

    def gateway(order: dict[str, Any]) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{sms}/_control", data=json.dumps(order).encode(), method="POST"
        )
        urllib.request.urlopen(request, timeout=5).close()  # noqa: S310

    def fault() -> None:
        gateway({"delay_next": 1000, "seconds": 2})  # every send now hangs in the gateway
        time.sleep(2.5)
        world.cluster.kill("worker1")  # mid-send: the gateway still takes what it was handed
        gateway({"delay_next": 0})
        time.sleep(1)
        world.cluster.kill("worker2")  # whatever it runs: integration every 2 s, deliveries

    load = _load(world, "worker", fault)
    assert _ready_within(world, 10) < 10
    facts = _nothing_lost(world)
    log = (world.cluster.logs / "sms.log").read_text()
    _observed(
        "kill -9 workers",
        **load,
        sms_sent=facts["sms_sent"],
        gateway_repeats_refused=log.count("repeated Idempotency-Key"),
    )


def test_restart_postgresql_under_load(world: World) -> None:
    load = _load(world, "pg", world.cluster.restart_postgres)
    assert load["told"] > 0
    assert _ready_within(world, 15) < 15
    facts = _nothing_lost(world)
    _observed("restart PostgreSQL", **load, sms_sent=facts["sms_sent"])


def test_stop_redis_and_start_it_again(world: World) -> None:
    def fault() -> None:
        world.cluster.stop_redis()
        time.sleep(3)
        world.cluster.start_redis()

    load = _load(world, "redis", fault)
    assert _ready_within(world, 15) < 15
    facts = _nothing_lost(world)
    _observed("stop Redis 3 s", **load, sms_sent=facts["sms_sent"])


def test_a_full_upload_disk_keeps_no_cut_short_material(world: World, tmp_path: Path) -> None:
    """The upload directory on a small tmpfs, nearly filled: uploads that do not fit are refused
    (the applicant retries later), none is recorded with a file cut short, and once space is
    freed the same files upload whole."""
    import os
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    media = Path(world.cluster.web_env()["YIWANG_DATA_DIR"]) / "media"
    media.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(media)], check=True)
    try:
        filler = media / "filler"
        filler.write_bytes(b"\0" * (2 * 1024 * 1024 - 700 * 1024))  # ~700 KB left
        applicant = Applicant(world, 0, threading.Event(), "disk")
        files = [b"%PDF-1.4\n" + os.urandom(300 * 1024) + b"\n%%EOF\n" for _ in range(4)]
        refs = [applicant.draft(world.with_materials) for _ in files]
        first = [applicant.upload(ref, body) for ref, body in zip(refs, files, strict=True)]
        assert 201 in first and any(code != 201 for code in first), first  # the disk ran full
        filler.unlink()  # the operator frees space
        again = [
            code if code == 201 else applicant.upload(ref, body)
            for ref, body, code in zip(refs, files, first, strict=True)
        ]
        assert again == [201] * len(files), again
        stored = json.loads(world.cluster.platform_command([], direct=True, script=STORED).strip().splitlines()[-1])
        assert stored == {"rows": len(files), "whole": len(files), "bad": 0}, stored
        assert _ready_within(world, 10) < 10
        _observed("upload disk full", first=first, again=again, stored=stored)
    finally:
        subprocess.run(["umount", "-l", str(media)], check=False)


def test_lose_the_primary_and_promote_the_replica(world: World) -> None:
    """Last, as it changes the shape: the primary dies under load (an immediate shutdown, no
    checkpoint); the replica is promoted and PgBouncer pointed at it, as the runbook does
    (docs/production-shape.md). Replication is synchronous, so every case any client was told
    about in this module is on the promoted server, once, and the log audits clean there."""
    load = _load(world, "failover", world.cluster.fail_over, after=4)
    assert load["told"] > 0
    assert _ready_within(world, 20) < 20
    facts = _nothing_lost(world)
    _observed("lose the primary, promote the replica", **load, sms_sent=facts["sms_sent"])
