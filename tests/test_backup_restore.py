"""Backup and point-in-time restore, end to end, with the runbook's own scripts (PostgreSQL).

A throwaway primary cluster (initdb, WAL archiving on) gets the platform's schema and a few
real cases with uploaded materials; the log's checkpoint C1 is saved as a witness would save
it. `scripts/backup-base` takes and verifies a base backup; more cases follow (checkpoint
C2), then the restore target time T, then an operator's mistake (every case's form wiped by
hand). `scripts/restore-pitr` restores the base backup into a new cluster and replays the
archived WAL to T. On the restored database: the cases of before and after the backup are
there and whole, the mistake is not, every material's file is back with its SHA-256,
`yiwang ledger audit` is clean, and `yiwang-verify` (offline, no Django) accepts the
consistency proof from the saved C1 to the restored log's checkpoint.

Bounded: one initdb, one migrate, a handful of cases; about a minute.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from pgclusters import ROOT, as_postgres, free_port, last_json, platform, sql, start_primary, tools_available, workspace

pytestmark = pytest.mark.postgres


PHASES = r"""
import hashlib, json, os, sys
import django
django.setup()
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from yiwang.cases.models import Case, CaseMaterial
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.models import Checkpoint

phase = sys.argv[1]

def cases(n, version):
    # n cases through the services, each material a file of its own (content-addressed)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from yiwang.cases import services
    from yiwang.cases.tests.factories import GOOD_DATA, PDF, user
    actor = user("zhangsan")
    for i in range(n):
        case = services.case_draft_save(actor=actor, implementation_version=version, form_data=GOOD_DATA)
        for key in ("application", "layout"):
            content = PDF + f"\n% {phase} {i} {key}\n".encode()
            upload = SimpleUploadedFile(f"{key}.pdf", content, content_type="application/pdf")
            services.case_material_upload(actor=actor, case=case, material_key=key, upload=upload)
        services.case_submit(actor=actor, draft=case, idempotency_key=f"{phase}-{i}", commitment_signed=False)
    ledger_integrate()

def now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0].isoformat()

if phase == "seed":
    from yiwang.core.calendar import calendar_seed
    from yiwang.demo.world import load_world
    from yiwang.cases.tests.factories import ImplementationVersionFactory
    calendar_seed(years=settings.CALENDAR_SEED_YEARS)
    load_world()
    version = ImplementationVersionFactory()
    cases(3, version)
elif phase == "more":
    from yiwang.catalog.models import ImplementationVersion
    cases(2, ImplementationVersion.objects.get(pk=int(os.environ["VERSION"])))
elif phase == "mistake":
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET form_data = '{}'")
elif phase == "check":
    files = {}
    for m in CaseMaterial.objects.all():
        try:
            with default_storage.open(m.storage_name) as f:
                files[m.storage_name] = hashlib.sha256(f.read()).hexdigest() == m.sha256
        except FileNotFoundError:
            files[m.storage_name] = False
    print(json.dumps({
        "cases": Case.objects.exclude(number=None).count(),
        "wiped": Case.objects.filter(form_data={}).count(),
        "files": len(files), "files_ok": all(files.values()),
    }))
    sys.exit(0)
checkpoint = Checkpoint.objects.order_by("-tree_size").first()
version_pk = Case.objects.order_by("pk").values_list("implementation_version_id", flat=True).first()
print(json.dumps({
    "version": version_pk, "size": checkpoint.tree_size if checkpoint else 0,
    "note": checkpoint.note if checkpoint else "", "cases": Case.objects.exclude(number=None).count(), "now": now(),
}))
"""


def _platform(phase: str, port: int, data_dir: Path, key: str, **more: str) -> dict[str, object]:
    """One phase of the scene, in its own process, against the cluster on `port`."""
    env = {
        **more,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/yiwang",
        "YIWANG_DATA_DIR": str(data_dir),
        "LEDGER_SIGNING_KEY": key,
    }
    if phase == "migrate":
        platform(["migrate", "--no-input"], env)
        return {"output": platform(["createcachetable"], env)}
    if phase == "audit":
        return {"output": platform(["ledger", "audit"], env)}
    return last_json(platform(_CONSISTENCY if phase == "consistency" else PHASES, env, phase))


_CONSISTENCY = r"""
import json, sys, django
django.setup()
from yiwang.ledger.models import Checkpoint
from yiwang.ledger.selectors import consistency_proof_between, verifier_key
import os
old = int(os.environ["OLD_SIZE"])
new = Checkpoint.objects.order_by("-tree_size").first().tree_size
print(json.dumps({**consistency_proof_between(old, new), "vkey": verifier_key()}))
"""


def test_a_point_in_time_restore_is_whole_audited_and_consistent_with_the_witnessed_log() -> None:
    if connection.vendor != "postgresql" or not tools_available():
        pytest.skip("needs PostgreSQL 15's tools (initdb, pg_basebackup) and a PostgreSQL run")
    key = platform(["ledger", "keygen"], {}).split("\n", 1)[0].removeprefix("LEDGER_SIGNING_KEY=")
    with workspace("yiwang-pitr-") as ws:
        archive, backup, data = ws / "wal", ws / "backup", ws / "data"
        as_postgres("mkdir", "-p", archive, backup)
        port = start_primary(ws, extra=f'archive_mode = on\narchive_command = \'cp "%p" "{archive}/%f"\'\n')

        _platform("migrate", port, data, key)
        seeded = _platform("seed", port, data, key)
        assert seeded["cases"] == 3 and int(seeded["size"]) > 0  # type: ignore[call-overload]
        witnessed = (ws / "c1.txt", seeded)  # checkpoint C1, as a witness saved it before the backup
        witnessed[0].write_text(str(seeded["note"]))

        pg = {"PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": "postgres", "YIWANG_DATA_DIR": str(data)}
        as_postgres(ROOT / "scripts" / "backup-base", backup, env=pg)

        # C2: after the backup, before the target time.
        after = _platform("more", port, data, key, VERSION=str(seeded["version"]))
        as_postgres(ROOT / "scripts" / "archive-media", archive, env=pg)
        target = str(after["now"])
        _platform("mistake", port, data, key)
        # Close the segment holding the mistake and wait until the archiver has copied it.
        segment = sql(port, "select pg_walfile_name(pg_switch_wal())").strip()
        for _ in range(240):
            archived = sql(port, "select last_archived_wal from pg_stat_archiver")
            if archived.strip() >= segment:
                break
            time.sleep(0.25)
        else:
            pytest.fail(f"WAL segment {segment} was not archived")

        restored, new_port, new_data = ws / "restored", free_port(), ws / "data-restored"
        as_postgres(
            ROOT / "scripts" / "restore-pitr", backup, archive, target, restored, new_port, archive, new_data, env=pg
        )

        check = _platform("check", new_port, new_data, key)
        # Every case of before and after the backup, none wiped; all 10 materials' files (6 from
        # the base backup, 4 from the media archive) with their SHA-256.
        assert check == {"cases": 5, "wiped": 0, "files": 10, "files_ok": True}, check
        assert "FAILED" not in str(_platform("audit", new_port, new_data, key)["output"])

        proof = _platform("consistency", new_port, new_data, key, OLD_SIZE=str(seeded["size"]))
        assert proof["new_size"] == after["size"]  # the restored log is C2's: nothing after T, nothing lost
        (ws / "c2.txt").write_text(str(proof["new_checkpoint"]))
        (ws / "proof.json").write_text(json.dumps({k: proof[k] for k in ("old_size", "new_size", "proof")}))
        verified = subprocess.run(
            [
                str(Path(sys.executable).with_name("yiwang-verify")),
                "consistency",
                "--vkey",
                str(proof["vkey"]),
                str(witnessed[0]),
                str(ws / "c2.txt"),
                str(ws / "proof.json"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
