"""The data of the case-engine benchmark (bench/cases_bench.py): Django code and SQL run in
the bench database by `CasesPlatform.run`.

- GENERATE + SQL: 1,000,000 cases by bulk SQL (parameters P; a literal % is written %%).
- REVISE: the amendment of PLANNING with REVIEWS parallel reviews, through the catalog services.
- DRAFTS: N PLANNING drafts of lisi with both materials, through the case services.
- PLANS: each list's queries (captured through the test client) with EXPLAIN ANALYZE.
"""

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
        claimed = Implementation.objects.filter(item=src.implementation.item).values("department")
        for dept in Department.objects.filter(kind=origin.kind).exclude(region=jinan).exclude(pk__in=claimed):
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
    pick += [(len(pick) + k, *row) for k in range(WEIGHTS.get(iv.item_version.name, 20) if here else max(1, 500 // elsewhere))]
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
    date_joined, kind, display_name, phone, notify_by_email, notify_by_sms, portal_mode)
  SELECT '!', false, 'bench' || g, '', '', '', false, true, now(), 'applicant', '', '', true, true, '' FROM generate_series(1, 100000) g;
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
INSERT INTO cases_case (id, ref, number, status, form_data, idempotency_key, idempotency_fingerprint, delivery_method, delivery_address,
    commitment_text, created_at, updated_at, submitted_at, received_on, accepted_on, deemed_accepted, refusal_reason,
    refusal_basis, decision, decision_opinion, decision_basis, decision_remedies, decided_at, decided_by_rule,
    concluded_at, delivery_reference, withdrawn_at, due_date, committed_due_date, warning_date,
    applicant_id, department_id, enterprise_id, implementation_version_id, region_id, bundle_member)
  SELECT id, gen_random_uuid(), CASE WHEN status <> 'draft' THEN region6 || '-' || to_char(received, 'YYYYMMDD') || '-'
      || (500000 + row_number() OVER (PARTITION BY region6, received ORDER BY id))::text END,
    status, '{}', CASE WHEN status <> 'draft' THEN 'bench-' || g ELSE '' END, '',
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
    applicant_id, department_id, enterprise_id, iv_id, region_id, ''
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
iv = ImplementationVersion.objects.select_related("implementation__item", "implementation__region",
    "implementation__department").get(item_version__name="建设工程规划许可证核发", status="published")
process = copy.deepcopy(iv.process)
joint = next(s for s in process["stages"] if len(s["tasks"]) > 1)
if len(joint["tasks"]) != REVIEWS:
    joint["tasks"] = joint["tasks"][:REVIEWS]
    drafter, reviewer = User.objects.get(username="sd_catalog"), User.objects.get(username="jn_catalog")
    place = iv.implementation
    draft = catalog.implementation_version_draft(actor=drafter, basic_code=place.item.basic_code, region=place.region,
        department=place.department, change_kind="amend", elements={"process": process},
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

# Lists whose path depends on the data: 办件查询's page 40 (jn_window, by its 下一页 key, as the
# links go) and a day's numbers of 济南 (the newest day).
DEEP_LISTS = r"""
from yiwang.accounts.models import User
from yiwang.cases.case_list import parse_cursor, staff_case_page
from yiwang.cases.models import Case
window, after = User.objects.get(username="jn_window"), None
for _ in range(39):
    page = staff_case_page(window, after=after)
    after = parse_cursor(page.next_cursor)
day = Case.objects.filter(number__startswith="370100-").order_by("-id").values_list("number", flat=True)[0][:15]
print(json.dumps([("GET /workbench/cases/ page 40 (jn_window)", f"/workbench/cases/?after={page.next_cursor}&page=40", "jn_window"),
                  (f"GET /workbench/cases/?q={day} (jn_window)", f"/workbench/cases/?q={day}", "jn_window")]))
"""
