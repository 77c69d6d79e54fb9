"""Case-engine benchmark on PostgreSQL: submission, the whole life of a case, lists at 1M cases.

    .venv/bin/python bench/cases_bench.py [--cases 1000000] [--drafts 900] [--seconds 12]

Method. The harness's Platform, on a database of its own (`yiwang_cases_bench`: a concurrent
ledger/catalog bench drops `yiwang_bench`), migrates and loads the demo world. N cases are then
written by bulk SQL (INSERT … SELECT generate_series, one transaction, VACUUM ANALYZE): an
行政审批服务局 and a 卫生健康委员会 in every province/city/county with copies of the demo items
(PLANNING stays 济南's), 100,000 applicants, a realistic status mix (3% drafts, 4% at the window,
13% in review, 75% concluded …), stages and tasks as each pinned process defines them, the clock
ledger of what runs, unique numbers and their counters, ids and heap order by creation time.
zhangsan has 50 cases, 济南's planning department ~14k open tasks, the 济南 window ~20k new
applications. `--drafts` PLANNING drafts of lisi (for 泉城餐饮), both materials uploaded, are made
through the services. granian (WSGI, a worker per core) serves; a separate process loads it.

Figures. ×base = req/s over the baseline's (reads: GET /api/v1/health, writes: POST
/api/v1/bench/two-rows), measured on the same server in the same run.
- submit: POST /api/v1/cases/submit of 生育登记 with household_in_city=false (nothing to upload, no
  秒批 rule holds: one request makes a committed case for the window), fresh Idempotency-Key each.
- submit-floor: POST /api/v1/bench/submit-floor, the least any submission writes (session, number,
  case row, ledger entry + salt, event, notice) with no check and no read: how close to the
  two-row write a submission can come on this stack at all.
- life c=K: K threads each running whole lives from a prepared PLANNING draft: submit (lisi) →
  accept (jn_window) → the reviews of the parallel stage (--reviews: 2, the issue's life, is
  planning + fire, through a published amendment of the item; 4 adds air-defence and transport,
  the demo's process) → decide (jn_planning_rev; electronic delivery concludes): 5 (or 7)
  requests. The load generator reads the new task ids from the database (what each reviewer's
  inbox shows). lives/s = complete lives per second; p50/p99 per request. The goal (≥ 50 lives/s,
  p99 < 100 ms at 80% of the peak) is judged on a last run that offers 80% of the best step's
  lives/s at a steady rate (8 threads, each starting a life on its schedule: open loop).
- lists: GET /api/v1/cases, /me/cases/ (zhangsan); /api/v1/cases/tasks, /workbench/
  (jn_planning_rev); /api/v1/cases/intake, /workbench/ (jn_window). Below the table: each one's
  queries (captured through the test client) with EXPLAIN ANALYZE of the slowest two.
- app / pg / gen: CPU ms per request of the granian workers, of this database's PostgreSQL
  backends (a lower bound: a backend that exits within the scenario is missed), of the load
  generator; other% = CPU the rest of the machine used meanwhile (other engineers' tests):
  together they say what bounded each figure.
Printed and written to bench/results/cases-<date>.txt (with the full plans).
"""

import argparse
import concurrent.futures
import datetime as dt
import http.client
import json
import multiprocessing as mp
import os
import platform
import queue
import re
import resource
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import PG_ADMIN, ROOT, Platform, Result, drive, login_cookie

DB = "yiwang_cases_bench"
DSN = f"postgresql://postgres@127.0.0.1:5432/{DB}"
PASSWORD = "Yiwang-demo-2026"  # noqa: S105 - the demo world's published password
REVIEWERS = {"济南市自然资源和规划局": "jn_planning_rev", "济南市消防救援支队": "jn_fire_rev",
             "济南市人民防空办公室": "jn_airdef_rev", "济南市交通运输局": "jn_transport_rev"}  # fmt: skip
LISTS = [("GET /api/v1/cases (zhangsan)", "/api/v1/cases", "zhangsan"),
         ("GET /me/cases/ (zhangsan)", "/me/cases/", "zhangsan"),
         ("GET /api/v1/cases/tasks (jn_planning_rev)", "/api/v1/cases/tasks", "jn_planning_rev"),
         ("GET /workbench/ (jn_planning_rev)", "/workbench/", "jn_planning_rev"),
         ("GET /api/v1/cases/intake (jn_window)", "/api/v1/cases/intake", "jn_window"),
         ("GET /workbench/ (jn_window)", "/workbench/", "jn_window")]  # fmt: skip
PARAMS = {"open": ["in_review", "supplement_pending", "suspended"], "paused": ["supplement_pending", "suspended"]}

GENERATE = r"""
import copy, time
from django.db import connection, transaction
from django.db.models import Min
from yiwang.accounts import services
from yiwang.accounts.models import Department, DepartmentKind as K, Enterprise, Region, StaffRole, User
from yiwang.catalog.models import Implementation, ImplementationVersion as IV, Material
from yiwang.demo.world import credit_code
started = time.perf_counter()
jinan = Region.objects.get(code="370100000000")
for region in Region.objects.filter(level__in=["province", "prefecture", "county"]).exclude(pk=jinan.pk):
    for kind, suffix in ((K.APPROVAL_SERVICE, "行政审批服务局"), (K.HEALTH, "卫生健康委员会")):
        if not Department.objects.filter(region=region, kind=kind).exists():
            services.department_create(actor=None, name=region.name + suffix, kind=kind, region=region, phone="12345",
                                       credit_code=credit_code(region.code[:6], f"9{Department.objects.count():07d}1"))
WEIGHTS = {"建设工程规划许可证核发": 100, "公司设立登记": 100, "食品经营许可": 100, "户外广告设置许可": 50,
           "公共场所卫生许可": 70, "生育登记": 80}  # per mille of all cases, in 济南; the other half elsewhere
with transaction.atomic():  # copies of 济南's published versions (not PLANNING) for every other department
    for src in IV.objects.filter(status="published", implementation__region=jinan).exclude(item_version__name__startswith="建设"):
        origin = src.implementation.department
        for dept in Department.objects.filter(kind=origin.kind).exclude(region=jinan):
            clone = copy.copy(src)
            clone.pk = clone.id = None
            clone.implementation = Implementation.objects.create(item=src.implementation.item, region=dept.region,
                department=dept, code=f"{dept.credit_code}1{src.implementation.item.basic_code}")
            clone.process = json.loads(json.dumps(src.process).replace(origin.credit_code, dept.credit_code))
            clone.save()
            materials = list(Material.objects.filter(version=src))
            for m in materials:
                m.pk, m.version = None, clone
            Material.objects.bulk_create(materials)
codes = dict(Department.objects.values_list("credit_code", "id"))
ivs = list(IV.objects.filter(status="published").select_related("implementation__region", "item_version"))
elsewhere = sum(iv.implementation.region_id != jinan.pk for iv in ivs)
pick, stages, tasks = [], [], []  # weighted slots of implementation versions; stage and task templates
for iv in ivs:
    here, specs = iv.implementation.region_id == jinan.pk, (iv.process or {}).get("stages", [])
    row = (iv.pk, iv.implementation.department_id, iv.implementation.region_id, iv.implementation.region.code[:6],
           bool(specs), iv.statutory_limit_days, iv.committed_limit_days)
    pick += [(len(pick) + k, *row) for k in range(WEIGHTS[iv.item_version.name] if here else max(1, 500 // elsewhere))]
    for pos, s in enumerate(specs):
        stages.append((iv.pk, s["key"], s["name"], pos, s.get("join", "all"), s.get("quorum"), bool(s.get("decides")),
                       len(s["tasks"]) > 1, s["limit_days"], len(specs)))
        tasks += [(iv.pk, s["key"], t["key"], t["name"], t["role"], codes[t["department"]], t["limit_days"],
                   bool(s.get("decides"))) for t in s["tasks"]]
P.update(W=len(pick), ent=Enterprise.objects.get().pk, **dict(User.objects.filter(
    username__in=["zhangsan", "lisi", "wangwu"]).values_list("username", "pk")))
holders = list(StaffRole.objects.values_list("department_id", "role").annotate(u=Min("user_id")).order_by())
with transaction.atomic(), connection.cursor() as cur:
    cur.execute('''CREATE TEMP TABLE pick (slot int, iv_id bigint, department_id bigint, region_id bigint, region6 text,
        has_stages bool, statutory int, committed int);
      CREATE TEMP TABLE tpl_stage (iv_id bigint, key text, name text, position int, join_ text, quorum int, decides bool,
        is_parallel bool, limit_days int, n_stages int);
      CREATE TEMP TABLE tpl_task (iv_id bigint, stage_key text, key text, name text, role text, department_id bigint,
        limit_days int, decides bool);
      CREATE TEMP TABLE holder (department_id bigint, role text, user_id bigint)''')
    for table, rows in (("pick", pick), ("tpl_stage", stages), ("tpl_task", tasks), ("holder", holders)):
        cur.executemany(f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(rows[0]))})", rows)
    cur.execute("SELECT (SELECT max(id) FROM cases_case), (SELECT max(id) FROM cases_stage), (SELECT max(id) FROM cases_task)")
    P.update(zip(("cases_case", "cases_stage", "cases_task"), (v or 0 for v in cur.fetchone())))
    for sql in SQL.split(";\n"):
        cur.execute(sql, P)
generated = time.perf_counter() - started
with connection.cursor() as cur:
    cur.execute("VACUUM ANALYZE cases_case, cases_stage, cases_task, cases_clockevent, accounts_user, accounts_naturalperson")
    cur.execute('''SELECT json_build_object('by_status', (SELECT json_agg(s) FROM (SELECT status, count(*) AS n
        FROM cases_case GROUP BY 1 ORDER BY 2 DESC) s), 'tasks', (SELECT count(*) FROM cases_task), 'stages',
      (SELECT count(*) FROM cases_stage), 'open_tasks', (SELECT count(*) FROM cases_task WHERE status IN ('open', 'claimed')),
      'departments', (SELECT count(*) FROM accounts_department))''')
    print(json.dumps({**cur.fetchone()[0], "seconds": round(generated, 1), "total": round(time.perf_counter() - started, 1)}))
"""

# Bulk generation, run with the parameters P (a literal % is written %%); statements end with ";\n".
SQL = """INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
    date_joined, kind, display_name, phone)
  SELECT '!', false, 'bench' || g, '', '', '', false, true, now(), 'applicant', '', '' FROM generate_series(1, 100000) g;
CREATE TEMP TABLE bu AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM accounts_user WHERE username LIKE 'bench%%';
INSERT INTO accounts_naturalperson (real_name, id_number, verified_at, user_id)
  SELECT '申请人' || n, 'B' || lpad(n::text, 17, '0'), now(), id FROM bu;
-- one row per case: implementation (weighted slot), applicant, status, creation time; ids in creation order
CREATE TEMP TABLE c AS SELECT %(cases_case)s + row_number() OVER (ORDER BY created) AS id, * FROM (
  SELECT s.*, CASE WHEN g <= 50 THEN %(zhangsan)s WHEN g <= 250 AND g %% 2 = 0 THEN %(lisi)s
                   WHEN g <= 250 THEN %(wangwu)s ELSE bu.id END AS applicant_id,
    CASE WHEN g BETWEEN 51 AND 250 THEN %(ent)s END AS enterprise_id,
    now() - interval '1 day' - rt * CASE WHEN status IN ('draft', 'submitted', 'supplement_requested') THEN interval '6 days'
      WHEN status = ANY(%(open)s) OR status = 'decided_approved' THEN interval '25 days' ELSE interval '720 days' END AS created
  FROM (SELECT r.*, p.*, CASE WHEN rs < .03 THEN 'draft' WHEN rs < .06 THEN 'submitted'
          WHEN rs < .07 THEN 'supplement_requested' WHEN rs < .20 AND NOT has_stages THEN 'concluded'
          WHEN rs < .19 THEN 'in_review' WHEN rs < .195 THEN 'supplement_pending' WHEN rs < .20 THEN 'suspended'
          WHEN rs < .21 THEN 'decided_approved' WHEN rs < .23 THEN 'refused' WHEN rs < .25 THEN 'withdrawn'
          ELSE 'concluded' END AS status
        FROM (SELECT g, floor(random() * %(W)s)::int AS slot_, random() AS rs, random() AS ra, random() AS rt,
                     random() AS rp, random() AS rc FROM generate_series(1, %(cases)s) g) r
        JOIN pick p ON p.slot = r.slot_) s
  JOIN bu ON bu.n = 1 + floor(power(ra, 1.5) * 99999)::int) x;
ALTER TABLE c ADD received date, ADD accepted date;
UPDATE c SET received = CASE WHEN status <> 'draft' THEN ((created + interval '10 min') AT TIME ZONE 'Asia/Shanghai')::date END,
  accepted = CASE WHEN status = ANY(%(open)s) OR status IN ('decided_approved', 'concluded')
             THEN ((created + interval '10 min') AT TIME ZONE 'Asia/Shanghai')::date + 1 END;
INSERT INTO cases_case (id, ref, number, status, form_data, idempotency_key, delivery_method, delivery_address,
    commitment_text, created_at, updated_at, submitted_at, received_on, accepted_on, deemed_accepted, refusal_reason,
    refusal_basis, decision, decision_opinion, decision_basis, decision_remedies, decided_at, decided_by_rule,
    concluded_at, delivery_reference, withdrawn_at, due_date, committed_due_date, warning_date,
    applicant_id, department_id, enterprise_id, implementation_version_id, region_id)
  SELECT id, gen_random_uuid(), CASE WHEN status <> 'draft' THEN region6 || '-' || to_char(received, 'YYYYMMDD') || '-'
      || lpad((row_number() OVER (PARTITION BY region6, received ORDER BY id))::text, 6, '0') END,
    status, '{}', CASE WHEN status <> 'draft' THEN 'bench-' || g ELSE '' END,
    CASE WHEN status = 'decided_approved' THEN 'pickup' ELSE 'electronic' END, '', '', created, created + interval '6 days',
    CASE WHEN status <> 'draft' THEN created + interval '10 min' END, received, accepted, false,
    CASE WHEN status = 'refused' THEN '材料不符合法定形式（基准数据）' ELSE '' END,
    CASE WHEN status = 'refused' THEN '《中华人民共和国行政许可法》第三十二条' ELSE '' END,
    CASE WHEN status IN ('decided_approved', 'concluded') THEN CASE WHEN rp < .95 THEN 'approved' ELSE 'denied' END
      ELSE '' END, '', '', '[]', CASE WHEN status IN ('decided_approved', 'concluded') THEN created + interval '5 days' END,
    '', CASE WHEN status = 'concluded' THEN created + interval '5 days' END,
    CASE WHEN status = 'concluded' THEN '电子送达' ELSE '' END, CASE WHEN status = 'withdrawn' THEN created + interval '2 days' END,
    CASE WHEN status <> ALL(%(paused)s) THEN accepted + ceil(statutory * 1.4)::int END,
    CASE WHEN status <> ALL(%(paused)s) THEN accepted + ceil(committed * 1.4)::int END,
    CASE WHEN status = 'in_review' THEN accepted + ceil(committed * 1.1)::int END,
    applicant_id, department_id, enterprise_id, iv_id, region_id
  FROM c ORDER BY id;
-- stages of the accepted cases of staged processes, tasks of the stages that started
CREATE TEMP TABLE st AS SELECT %(cases_stage)s + row_number() OVER (ORDER BY c.id, t.position) AS sid,
    c.id AS case_id, c.status AS case_status, c.rc, c.accepted, t.*,
    CASE WHEN c.status <> ALL(%(open)s) THEN 'approved'
         WHEN t.position = 0 AND (t.n_stages = 1 OR c.rp < .7) THEN 'active' WHEN t.position = 0 THEN 'approved'
         WHEN t.position = 1 AND c.rp >= .7 THEN 'active' ELSE 'pending' END AS st_status
  FROM c JOIN tpl_stage t USING (iv_id) WHERE c.accepted IS NOT NULL;
INSERT INTO cases_stage (id, key, name, position, "join", quorum, decides, is_parallel, limit_days, status,
    activated_at, completed_at, case_id)
  SELECT sid, key, name, position, join_, quorum, decides, is_parallel, limit_days, st_status,
    CASE WHEN st_status <> 'pending' THEN accepted + position * 3 END,
    CASE WHEN st_status = 'approved' THEN accepted + position * 3 + 2 END, case_id FROM st ORDER BY sid;
CREATE TEMP TABLE tk AS SELECT %(cases_task)s + row_number() OVER (ORDER BY st.sid, t.key) AS tid,
    st.sid, st.case_id, st.case_status, st.accepted, st.position, st.st_status, t.*, h.user_id AS holder,
    CASE WHEN st.st_status = 'approved' THEN CASE WHEN t.decides THEN 'decided' ELSE 'approved' END
         WHEN st.rc < .05 AND h.user_id IS NOT NULL THEN 'claimed' ELSE 'open' END AS tk_status
  FROM st JOIN tpl_task t ON t.iv_id = st.iv_id AND t.stage_key = st.key
  LEFT JOIN holder h ON h.department_id = t.department_id AND h.role = t.role WHERE st.st_status IN ('approved', 'active');
INSERT INTO cases_task (id, key, name, kind, role, status, limit_days, created_at, claimed_at, completed_at,
    opinion, due_date, warning_date, assignee_id, case_id, department_id, stage_id)
  SELECT tid, key, name, CASE WHEN decides THEN 'decision' ELSE 'review' END, role, tk_status, limit_days,
    accepted + position * 3, CASE WHEN tk_status <> 'open' THEN accepted + position * 3 + 1 END,
    CASE WHEN st_status = 'approved' THEN accepted + position * 3 + 2 END, '',
    CASE WHEN case_status <> ALL(%(paused)s) THEN accepted + position * 3 + ceil(limit_days * 1.4)::int END,
    CASE WHEN tk_status <> 'approved' AND case_status = 'in_review'
      THEN accepted + position * 3 + ceil(limit_days * 1.1)::int END,
    CASE WHEN tk_status = 'claimed' OR (st_status = 'approved' AND tid %% 10 = 0) THEN holder END,
    case_id, department_id, sid FROM tk ORDER BY tid;
-- the clock ledger of what runs (or is paused): starts and pauses of the cases and of their open tasks
INSERT INTO cases_clockevent (kind, "on", days, cause, note, at, case_id, task_id)
  SELECT 'start', accepted, statutory, 'acceptance', '', accepted, id, NULL::bigint FROM c WHERE status = ANY(%(open)s)
  UNION ALL SELECT 'pause', accepted + 2, NULL, 'supplement', '', accepted + 2, id, NULL FROM c WHERE status = ANY(%(paused)s)
  UNION ALL SELECT 'start', accepted + position * 3, limit_days, 'activation', '', accepted + position * 3, case_id, tid
    FROM tk WHERE tk_status IN ('open', 'claimed')
  UNION ALL SELECT 'pause', accepted + 2, NULL, 'supplement', '', accepted + 2, case_id, tid
    FROM tk WHERE tk_status IN ('open', 'claimed') AND case_status = ANY(%(paused)s);
INSERT INTO cases_casenumbercounter (prefix, last_value)
  SELECT left(number, 15), max(right(number, 6)::int) FROM cases_case WHERE number IS NOT NULL GROUP BY 1
  ON CONFLICT (prefix) DO UPDATE SET last_value = greatest(cases_casenumbercounter.last_value, excluded.last_value);
SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT max(id) FROM cases_case));
SELECT setval(pg_get_serial_sequence('cases_stage', 'id'), (SELECT max(id) FROM cases_stage));
SELECT setval(pg_get_serial_sequence('cases_task', 'id'), (SELECT max(id) FROM cases_task))"""

# The life the issue defines (submit → accept → two parallel approvals → decide): the bench
# publishes, through the catalog services (drafter ≠ reviewer), an amendment of 济南's
# PLANNING whose joint review keeps its first REVIEWS departments; the lives pin it.
REVISE = r"""
import copy
from yiwang.accounts.models import User
from yiwang.catalog import services as catalog
from yiwang.catalog.models import ImplementationVersion
from yiwang.catalog.services import ImplementationElements
iv = ImplementationVersion.objects.select_related("implementation__item", "implementation__region",
    "implementation__department").get(item_version__name="建设工程规划许可证核发", status="published")
process = copy.deepcopy(iv.process)
joint = next(s for s in process["stages"] if len(s["tasks"]) > 1)
if len(joint["tasks"]) != REVIEWS:
    joint["tasks"] = joint["tasks"][:REVIEWS]
    drafter, reviewer = User.objects.get(username="sd_catalog"), User.objects.get(username="jn_catalog")
    place = iv.implementation
    draft = catalog.implementation_version_draft(actor=drafter, basic_code=place.item.basic_code, region=place.region,
        department=place.department, change_kind="amend", elements=ImplementationElements(process=process),
        change_reason=f"基准测试：联合审查由 {REVIEWS} 个部门并联办理")
    catalog.implementation_version_submit(actor=drafter, version=draft)
    catalog.implementation_version_publish(actor=reviewer, version=draft, note="基准测试，同意")
print(json.dumps(len(joint["tasks"])))
"""

DRAFTS = r"""
from django.core.files.base import ContentFile
from yiwang.accounts.models import Enterprise, User
from yiwang.cases import services
from yiwang.catalog.models import ImplementationVersion
iv = ImplementationVersion.objects.get(item_version__name="建设工程规划许可证核发", status="published")
lisi, enterprise = User.objects.get(username="lisi"), Enterprise.objects.get()
pdf = b"%PDF-1.4\n% bench material\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
refs = []
for i in range(N):
    draft = services.case_draft_save(actor=lisi, implementation_version=iv, enterprise=enterprise,
        form_data={"project_name": f"基准项目{i}", "project_site": "济南市历下区", "floor_area": "12000"})
    for key in ("application", "design"):
        services.case_material_upload(actor=lisi, case=draft, material_key=key, upload=ContentFile(pdf, name=f"{key}.pdf"))
    refs.append(str(draft.ref))
print(json.dumps(refs))
"""

PLANS = r"""
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from yiwang.accounts.models import User

def explain(sql, params=None):
    with connection.cursor() as cur:
        for _ in range(2):  # the second, warm run counts
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            rows = cur.fetchall()
    return "\n".join(r[0] for r in rows)

out = {}
for name, path, username in LISTS:  # the queries the endpoint really runs, the slowest two explained
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    client.get(path)
    with CaptureQueriesContext(connection) as seen:
        client.get(path)
    slow = [q for q in sorted(seen.captured_queries, key=lambda q: -float(q["time"]))[:2] if float(q["time"]) >= 0.001]
    out[name] = [len(seen), 1000 * sum(float(q["time"]) for q in seen), [explain(q["sql"]) for q in slow]]
print(json.dumps(out))
"""


class CasesPlatform(Platform):
    """The harness's Platform on a database of its own (a concurrent bench drops `yiwang_bench`)."""

    def __init__(self) -> None:
        super().__init__(db="postgres")
        self.env["DATABASE_URL"] = DSN.replace("postgresql:", "postgres:")

    def prepare(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "ensure-postgres")], check=True, capture_output=True)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB}")
        for command in (("migrate", "-v0"), ("createcachetable",), ("load_demo",)):
            subprocess.run([str(Path(sys.executable).parent / "yiwang"), *command], env=self.env, check=True,
                           cwd=self.data_dir, capture_output=True)  # fmt: skip

    def run(self, code: str, **params: object) -> object:
        """Django code in the bench database with `params` bound; its last stdout line, as JSON."""
        prelude = "import json\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in params.items())
        try:
            return json.loads(self.python(prelude + code).strip().splitlines()[-1])
        except subprocess.CalledProcessError as failed:
            sys.exit(f"data generation failed:\n{failed.stderr[-3000:]}")


def snapshot(server_pgid: int) -> dict:
    """CPU seconds so far: granian's processes, this database's backends, our children, the whole machine."""
    with psycopg.connect(DSN, autocommit=True) as conn:
        backends = {r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB])}
    tick, app, pg = os.sysconf("SC_CLK_TCK"), {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        target = app if int(fields[2]) == server_pgid else pg if int(pid) in backends else None
        if target is not None:
            target[pid] = (int(fields[11]) + int(fields[12])) / tick
    stat = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    gen = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"app": app, "pg": pg, "busy": (sum(stat) - stat[3] - stat[4]) / tick, "gen": gen.ru_utime + gen.ru_stime}


def cpu_split(before: dict, after: dict, result: Result) -> dict[str, float]:
    app, pg = (sum(v - before[k].get(p, 0.0) for p, v in after[k].items()) for k in ("app", "pg"))
    gen, per = after["gen"] - before["gen"], 1000 / max(1, result.requests)
    other = max(0.0, after["busy"] - before["busy"] - app - pg - gen) / (result.seconds * (os.cpu_count() or 1))
    return {"app": app * per, "pg": pg * per, "gen": gen * per, "other": 100 * other}


def _lives(
    port: int,
    who: dict,
    drafts: list[str],
    expected: int,
    lock: threading.Lock,
    stop_at: float,
    out: queue.Queue,
    pace: tuple[float, float] | None = None,
) -> None:
    """One client thread: whole lives until the time is up or the drafts run out; one after the
    other, or with `pace` (first start, interval) one starting every interval (open loop)."""
    conn, db = http.client.HTTPConnection("127.0.0.1", port, timeout=30), psycopg.connect(DSN, autocommit=True)
    latencies: dict[str, list[float]] = {}
    lives = errors = 0

    def call(persona: str, step: str, path: str, body: dict, extra: dict | None = None) -> dict | None:
        nonlocal conn, errors
        started = time.perf_counter()
        try:
            conn.request("POST", path, body=json.dumps(body).encode(), headers={**who[persona], **(extra or {})})
            response = conn.getresponse()
            data = response.read()
        except OSError:
            conn.close()
            conn, errors = http.client.HTTPConnection("127.0.0.1", port, timeout=30), errors + 1
            return None
        latencies.setdefault(step, []).append((time.perf_counter() - started) * 1000)
        if response.status >= 400:
            errors += 1
            print(f"life step {step}: HTTP {response.status} {data[:300]!r}", file=sys.stderr)
            return None
        return json.loads(data)

    started_lives = 0
    while time.monotonic() < stop_at:
        if pace is not None:
            time.sleep(max(0.0, pace[0] + started_lives * pace[1] - time.monotonic()))
            started_lives += 1
        with lock:
            ref = drafts.pop() if drafts else None
        if ref is None:
            break
        receipt = call(
            "lisi", "submit", "/api/v1/cases/submit", {"draft_ref": ref}, {"Idempotency-Key": str(uuid.uuid4())}
        )
        number = receipt and receipt["number"]
        if not number or not call("jn_window", "accept", f"/api/v1/cases/{number}/accept", {}):
            continue
        tasks = db.execute("SELECT t.id, d.name FROM cases_task t JOIN cases_case c ON c.id = t.case_id JOIN accounts_department d"
                           " ON d.id = t.department_id WHERE c.number = %s AND t.status = 'open'", [number]).fetchall()  # fmt: skip
        approve = {"outcome": "approve", "opinion": "同意"}
        reviews = [call(REVIEWERS[d], "review", f"/api/v1/cases/tasks/{t}/complete", approve) for t, d in tasks]
        if len(reviews) == expected and all(reviews):
            lives += bool(call("jn_planning_rev", "decide", f"/api/v1/cases/{number}/decide", {"outcome": "approve"}))
    out.put((latencies, errors, lives))


def drive_lives(
    port: int, who: dict, drafts: list[str], reviews: int, threads: int, seconds: float, rate: float | None = None
) -> tuple[Result, float, dict, int]:
    """Lives from `threads` threads of a separate process: (figures, lives/s, latencies by step,
    drafts used). With `rate`, lives start at that many per second (spread over the threads)."""

    def load(out: mp.Queue) -> None:
        lock, results, stop_at, total = threading.Lock(), queue.Queue(), time.monotonic() + seconds, len(drafts)
        now, interval = time.monotonic(), threads / rate if rate else 0.0
        pool = [
            threading.Thread(
                target=_lives,
                args=(port, who, drafts, reviews, lock, stop_at, results),
                kwargs={"pace": (now + k * interval / threads, interval) if rate else None},
            )
            for k in range(threads)
        ]
        started = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        steps, errors, lives = {}, 0, 0
        while not results.empty():
            lat, err, done = results.get()
            for step, values in lat.items():
                steps.setdefault(step, []).extend(values)
            errors, lives = errors + err, lives + done
        out.put((steps, errors, lives, time.perf_counter() - started, total - len(drafts)))

    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=load, args=(out,))
    proc.start()
    steps, errors, lives, elapsed, used = out.get(timeout=seconds + 300)
    proc.join(timeout=30)
    every = [v for values in steps.values() for v in values]
    name = f"life at {rate:.1f} lives/s offered" if rate else f"life c={threads}"
    return Result(name, len(every), errors, elapsed, every), lives / elapsed, steps, used


def plan_line(plan: str) -> str:
    """A plan in one line: time, the indexes it uses (not primary keys), sequential scans of the big tables."""
    took = re.search(r"Execution Time: ([\d.]+) ms", plan)
    used = re.findall(r"(?:Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)", plan)
    used = sorted({re.sub(r"_[0-9a-f]{8}(_like)?$", "", u) for u in used if not u.endswith("pkey")})
    big = ("cases_case", "cases_task", "cases_stage", "cases_clockevent", "accounts_user", "accounts_naturalperson")
    seq: dict[str, int] = {}  # big table → rows its sequential scans read (kept + dropped, all parallel workers)
    for node in re.split(r"\n\s*->", plan):
        found = re.search(r"Seq Scan on (\w+) .*actual time=\S+ rows=(\d+) loops=(\d+)", node)
        if found and found[1] in big:
            dropped = re.search(r"Rows Removed by Filter: (\d+)", node)
            seq[found[1]] = seq.get(found[1], 0) + int(found[3]) * (int(found[2]) + int(dropped[1] if dropped else 0))
    line = f"{float(took.group(1)) if took else float('nan'):8.1f} ms  index: {', '.join(used) or '—'}"
    if seq:
        line += "  SEQ SCAN: " + ", ".join(f"{t} ({n:,} rows read)" for t, n in sorted(seq.items()))
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--drafts", type=int, default=1800, help="PLANNING drafts prepared for the lives (at most)")
    parser.add_argument("--seconds", type=float, default=12, help="per scenario")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections (the lives: --steps)")
    parser.add_argument("--steps", default="2,4,8,16", help="concurrency steps of the lives")
    parser.add_argument("--reviews", type=int, default=2, choices=(2, 4), help="parallel reviews in a life")
    args = parser.parse_args()
    load_start, started = os.getloadavg(), dt.datetime.now()
    bench = CasesPlatform()
    bench.prepare()
    generated = bench.run(GENERATE, P={"cases": args.cases, **PARAMS}, SQL=SQL)
    if bench.run(REVISE, REVIEWS=args.reviews) != args.reviews:
        sys.exit("the PLANNING revision did not take")
    t0, half = time.perf_counter(), args.drafts // 2
    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # two processes: the drafts go through the services
        drafts = [r for part in pool.map(lambda n: bench.run(DRAFTS, N=n), [half, args.drafts - half]) for r in part]
    draft_ms = (time.perf_counter() - t0) * 2000 / max(1, len(drafts))
    plans = {"": bench.run(PLANS, LISTS=LISTS)}
    birth = bench.run("from yiwang.catalog.models import ImplementationVersion as V\nfrom yiwang.demo.world import resident_id\n"
                      "v = V.objects.select_related('implementation').get(status='published', item_version__name='生育登记', "
                      "implementation__region__code='370100000000')\nprint(json.dumps([v.pk, *(resident_id('370102', b, s) "
                      "for b, s in (('19920101', '222'), ('19900101', '111'))), v.implementation.department_id, "
                      "v.implementation.region_id]))")  # fmt: skip
    form = {"mother_id": birth[1], "father_id": birth[2], "child_order": 1, "household_in_city": False}
    submit = json.dumps({"implementation_version_id": birth[0], "form_data": form}).encode()
    floor = json.dumps({"implementation_version_id": birth[0], "department_id": birth[3], "region_id": birth[4],
                        "form_data": form}).encode()  # fmt: skip
    bench.start()
    rows: list[tuple[str, Result, dict, str]] = []  # (r = read / w = write, figures, CPU split, note)
    lives_by_step: list[tuple[Result, float, dict]] = []
    try:
        port, pgid = bench.port, bench.server.pid  # type: ignore[union-attr]
        who = {
            n: login_cookie(port, n, PASSWORD) for n in ("zhangsan", "lisi", "wangwu", "jn_window", *REVIEWERS.values())
        }
        who = {n: {"Cookie": c, "X-CSRFToken": re.search(r"csrftoken=([^;]+)", c)[1], "Content-Type": "application/json"}
               for n, c in who.items()}  # fmt: skip

        def measure(kind: str, name: str, maker) -> None:
            drive(name, port, maker, concurrency=2, seconds=3, max_requests=10)  # warm up
            before = snapshot(pgid)
            result = drive(name, port, maker, concurrency=args.concurrency, seconds=args.seconds)
            rows.append((kind, result, cpu_split(before, snapshot(pgid), result), ""))

        def get(path: str, persona: str | None = None):
            headers = {"Cookie": who[persona]["Cookie"]} if persona else {}
            return lambda w, i: ("GET", path, None, headers)

        json_only = {"Content-Type": "application/json"}
        measure("r", "GET /api/v1/health (read baseline)", get("/api/v1/health"))
        measure("w", "POST /api/v1/bench/two-rows (write baseline)",
                lambda w, i: ("POST", "/api/v1/bench/two-rows", b'{"value": 1}', json_only))  # fmt: skip
        for name, path, persona in LISTS:
            measure("r", name, get(path, persona))
        measure("w", "POST /api/v1/cases/submit (生育登记, wangwu)",
                lambda w, i: ("POST", "/api/v1/cases/submit", submit, {**who["wangwu"], "Idempotency-Key": str(uuid.uuid4())}))  # fmt: skip
        measure("w", "POST /api/v1/bench/submit-floor (the least)",
                lambda w, i: ("POST", "/api/v1/bench/submit-floor", floor, who["wangwu"]))  # fmt: skip
        steps = [(int(t), None) for t in args.steps.split(",")]
        paced: tuple[Result, float, dict] | None = None
        while steps and drafts:
            threads, rate = steps.pop(0)
            before = snapshot(pgid)
            result, lives, by_step, used = drive_lives(port, who, drafts, args.reviews, threads, args.seconds, rate)
            del drafts[len(drafts) - used :]
            note = f"{lives:5.1f} lives/s" + ("  (drafts ran out)" if not drafts else "")
            rows.append(("w", result, cpu_split(before, snapshot(pgid), result), note))
            if rate is None:
                lives_by_step.append((result, lives, by_step))
            else:
                paced = (result, lives, by_step)
            if not steps and rate is None:  # then the goal's load: 80% of the peak, offered at a steady rate
                steps.append((8, 0.8 * max(n for _, n, _ in lives_by_step)))
    finally:
        bench.stop()
    report(args, generated, draft_ms, plans, rows, lives_by_step, paced, load_start, started)


def report(args, generated, draft_ms, plans, rows, lives_by_step, paced, load_start, started) -> None:
    import django
    import granian

    with psycopg.connect(DSN) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    base = {kind: next(r.throughput for k, r, _, _ in rows if k == kind) for kind in ("r", "w")}
    g, cores = generated, os.cpu_count()
    git = {"cwd": ROOT, "capture_output": True, "text": True, "env": {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}}
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], **git).stdout.strip()  # read-only git
    dirty = subprocess.run(["git", "status", "--porcelain", "-uno", "--", "src"], **git).stdout.strip()
    lines = [
        f"yiwang case-engine benchmark {started:%Y-%m-%d %H:%M} — load average {load_start[0]:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (other work shares the machine: see other%)",
        f"{platform.machine()}, {cores} cores, {platform.platform()}; Python {platform.python_version()}, Django "
        f"{django.get_version()}, granian {granian.__version__} (WSGI, {cores} workers), PostgreSQL {pg_version}; "
        f"code {head}{' with uncommitted changes in src/' if dirty else ''}",
        f"data: {args.cases:,} cases generated in {g['seconds']} s ({g['total']} s with VACUUM ANALYZE): {g['stages']:,} "
        f"stages, {g['tasks']:,} tasks ({g['open_tasks']:,} open or claimed), {g['departments']} departments; "
        + ", ".join(f"{x['status']} {x['n']:,}" for x in g["by_status"]),
        f"lives: submit → accept → {args.reviews} parallel reviews → decide, from PLANNING drafts with materials "
        f"made through the services ({draft_ms:.0f} ms each); "
        f"{args.concurrency} client connections except the lives; {args.seconds:.0f} s per scenario",
        "",
        f"{'scenario':<46}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'err':>5}{'×base':>7}{'app':>7}{'pg':>6}{'gen':>5}{'other':>7}",
        f"{'':<82}{'CPU ms per request':>18}{'%':>7}",
    ]
    for kind, r, cpu, note in rows:
        lines.append(f"{r.name:<46}{r.throughput:>8.1f}{r.percentile(50):>8.1f}{r.percentile(99):>8.1f}{r.errors:>5}"
                     f"{r.throughput / base[kind]:>7.2f}{cpu['app']:>7.1f}{cpu['pg']:>6.1f}{cpu['gen']:>5.1f}"
                     f"{cpu['other']:>6.0f}%  {note}")  # fmt: skip
    submit = next(r for _, r, _, _ in rows if "cases/submit" in r.name)
    least = next(r for _, r, _, _ in rows if "submit-floor" in r.name)
    ok = submit.throughput >= 0.5 * base["w"]
    lines += [
        "",
        f"submit: {submit.throughput / base['w']:.2f} × the two-row write: goal ≥ 0.50 {'met' if ok else 'NOT met'} "
        f"(the least a submission writes, unchecked: {least.throughput / base['w']:.2f} ×)",
    ]
    if lives_by_step:
        peak = max(lives for _, lives, _ in lives_by_step)
        result, lives, steps = paced or min(lives_by_step, key=lambda s: abs(s[1] - 0.8 * peak))
        ok = peak >= 50 and result.percentile(99) < 100
        lines.append(f"lives: peak {peak:.1f}/s; at 80% of it ({result.name}): {lives:.1f}/s done, p99 "
                     f"{result.percentile(99):.0f} ms per request: goal ≥ 50 lives/s with p99 < 100 ms "
                     f"{'met' if ok else 'NOT met'}. Its steps:")  # fmt: skip
        for step, v in steps.items():
            r = Result(step, len(v), 0, 1, v)
            lines.append(f"  {step:<7} n={len(v):>5}  p50 {r.percentile(50):6.1f} ms  p99 {r.percentile(99):6.1f} ms")
    for label, found in plans.items():
        lines += [
            "",
            f"queries at {args.cases:,} cases {label} (per request; EXPLAIN ANALYZE of the slowest two, warm):",
        ]
        for name, (n, ms, found_plans) in found.items():
            lines.append(f"  {name:<46}" + (f"{n:>4} queries, SQL {ms:5.0f} ms" if n else ""))
            lines += [f"      {plan_line(plan)}" for plan in found_plans]
    text = "\n".join(lines)
    print(text)
    full = [
        f"--- {name} {label}\n" + "\n\n".join(ps)
        for label, found in plans.items()
        for name, (_, _, ps) in found.items()
    ]
    out = ROOT / "bench" / "results" / f"cases-{started:%Y%m%d}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n\nFULL PLANS\n\n" + "\n\n".join(full) + "\n", encoding="utf-8")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
