"""The data of the e-license benchmark (bench/licenses_bench.py): Django code run in the bench
database by `LicensesPlatform.run`, and the bulk generator of filler licenses (COPY).

- UNLICENSED: an amendment of 济南's 食品经营许可 that names no license type, published through
  the catalog services (the same item, the same process: only `license_type_code` differs).
- DECIDABLE: N 食品经营许可 cases of lisi for 泉城餐饮 made through the case services up to the
  approver's decision (submitted, accepted, reviewed): what `POST /cases/{number}/decide` needs.
- REAL: N licenses issued through `license_issue` (with their ledger entries), a mix of them
  revoked, suspended, cancelled, superseded and expired through the services, then the ledger
  integrated so every status entry has an inclusion proof.
- `filler_rows`: COPY text of filler licenses with valid identifiers (their own check
  characters), mixed statuses and successor versions; they name no ledger entry.
- QUERIES: the queries each verification endpoint runs (test client), EXPLAIN ANALYZE of each.
"""

import datetime as dt
import random
from collections.abc import Iterator

from yiwang.core.identifiers import LICENSE_ROOT, mod37_36_check_char

FOOD_VERSION = """
from yiwang.catalog.models import ImplementationVersion
iv = ImplementationVersion.objects.select_related("implementation__item", "implementation__region",
    "implementation__department").get(item_version__name="食品经营许可", status="published",
    implementation__department__name="济南市行政审批服务局")
"""

UNLICENSED = (
    FOOD_VERSION
    + r"""
from yiwang.accounts.models import User
from yiwang.catalog import services as catalog
if iv.license_type_code:
    drafter, reviewer, place = User.objects.get(username="sd_catalog"), User.objects.get(username="jn_catalog"), iv.implementation
    draft = catalog.implementation_version_draft(actor=drafter, basic_code=place.item.basic_code, region=place.region,
        department=place.department, change_kind="amend", elements={"license_type_code": ""},
        change_reason="基准测试：同一事项不签发电子证照，作为签发开销的对照")
    catalog.implementation_version_submit(actor=drafter, version=draft)
    catalog.implementation_version_publish(actor=reviewer, version=draft, note="基准测试，同意")
    iv = ImplementationVersion.objects.get(pk=draft.pk)
print(json.dumps([iv.pk, iv.license_type_code]))
"""
)

DECIDABLE = (
    FOOD_VERSION
    + r"""
from django.core.files.uploadedfile import SimpleUploadedFile
from yiwang.accounts.models import Enterprise, User
from yiwang.cases import services
from yiwang.cases.models import Task
from yiwang.demo.cases import FOOD_MATERIALS, SHOP_ADDRESS, WANGWU_ID, food_form, tiny_pdf, tiny_png
users = {u.username: u for u in User.objects.filter(username__in=["lisi", "jn_window", "jn_reviewer"])}
enterprise = Enterprise.objects.get()
materials = {**FOOD_MATERIALS, "authorisation": "授权委托书"}
numbers = []
for i in range(N):
    form = food_form(f"济南泉城餐饮管理有限公司基准{TAG}{i}号店", SHOP_ADDRESS, WANGWU_ID, by_agent=True)
    draft = services.case_draft_save(actor=users["lisi"], implementation_version=iv, form_data=form,
                                     enterprise=enterprise, delivery_method="electronic")
    for key, name in materials.items():
        upload = (SimpleUploadedFile(f"{name}.png", tiny_png(), content_type="image/png") if key == "layout" else
                  SimpleUploadedFile(f"{name}.pdf", tiny_pdf(f"bench: {key}"), content_type="application/pdf"))
        services.case_material_upload(actor=users["lisi"], case=draft, material_key=key, upload=upload)
    case = services.case_submit(actor=users["lisi"], draft=draft, idempotency_key=f"bench-licenses-{TAG}-{i}")
    case = services.case_accept(actor=users["jn_window"], case=case, opinion="材料齐全，符合法定形式")
    task = Task.objects.get(case=case, key="review", status__in=["open", "claimed"])
    services.task_complete(actor=users["jn_reviewer"], task=task, outcome="approve", opinion="经审查，符合法定条件。")
    numbers.append(case.number)
print(json.dumps(numbers))
"""
)

REAL = r"""
import time
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from yiwang.accounts.models import Department, Enterprise, User
from yiwang.core import clock
from yiwang.demo.licenses import BUSINESS, FOOD
from yiwang.ledger.integrator import ledger_integrate
from yiwang.licenses import services
from yiwang.licenses.models import License
started = time.perf_counter()
issuer = Department.objects.get(name="济南市行政审批服务局")
users = {u.username: u for u in User.objects.filter(username__in=["lisi", "zhangsan", "jn_approver"])}
enterprise, today = Enterprise.objects.get(), clock.today()
issue_cpu, statements = 0.0, 0
for i in range(N):
    kind = i % 100  # 0-3 revoked, 4-5 suspended, 6-7 cancelled, 8-10 superseded, 11-13 expired, the rest valid
    person = i % 3 == 0
    holder, ent = (users["zhangsan"], None) if person else (users["lisi"], enterprise)
    start = today - dt.timedelta(days=6 * 366 if 11 <= kind < 14 else i % 1500)
    connection.queries_log.clear()  # the log keeps 9,000 queries: a full one would count none
    cpu = time.process_time()
    with transaction.atomic(durable=True), CaptureQueriesContext(connection) as seen:
        lic = services.license_issue(type_code=BUSINESS if person else FOOD, holder=holder, enterprise=ent, issuer=issuer,
            case_id=None, valid_from=start, sources={"form": {"business_name": f"基准经营者{i}", "address": f"济南市历下区泉城路{i}号",
            "business_items": ["hot_food"], "company_name": f"济南基准{i}有限公司", "registered_capital": "50"}})
    issue_cpu, statements = issue_cpu + time.process_time() - cpu, statements + sum(q["sql"] not in ("BEGIN", "COMMIT") for q in seen.captured_queries)
    approver, reason = users["jn_approver"], "基准测试"
    if kind < 4:
        services.license_revoke(actor=approver, license_id=lic.pk, reason=reason, legal_basis="《中华人民共和国行政许可法》第六十九条")
    elif kind < 6:
        services.license_suspend(actor=approver, license_id=lic.pk, reason=reason)
    elif kind < 8:
        services.license_cancel(actor=holder, license_id=lic.pk, reason=reason)
    elif kind < 11:
        key = next(k for k, v in lic.facts.items() if isinstance(v, str) and not v[:4].isdigit())  # a re-issue changes a fact
        services.license_reissue(actor=approver, license_id=lic.pk, facts={key: f"{lic.facts[key]}（换发）"}, reason=reason)
expired = 0
while True:
    done = services.licenses_expire_due(limit=500)
    expired += done
    if done < 500:
        break
issued = time.perf_counter() - started
integrated = ledger_integrate()
note = License.objects.order_by("-id").values_list("note", flat=True).first()
print(json.dumps({"issue_s": round(issued, 1), "integrate_s": round(time.perf_counter() - started - issued, 1),
                  "integrated": integrated, "expired": expired, "note": note,
                  "issue_cpu_ms": 1000 * issue_cpu / N, "issue_statements": statements / N}))
"""

QUERIES = r"""
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
out = {}
for name, path in PATHS:
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get(path).status_code == 200, path
    with CaptureQueriesContext(connection) as seen:
        client.get(path)
    plans = []
    for q in seen.captured_queries:
        with connection.cursor() as cur:
            for _ in range(2):  # the second, warm run counts
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                rows = cur.fetchall()
        plans.append([q["sql"][:300], "\n".join(r[0] for r in rows)])
    out[name] = plans
print(json.dumps(out))
"""

# status → share of the filler (per mille); a superseded license is followed by its valid successor
MIX = [("valid", 780), ("expired", 100), ("superseded", 50), ("revoked", 30), ("cancelled", 20), ("suspended", 20)]
COLUMNS = (
    "id, identifier, number, serial, version, license_type_id, holder_id, holder_name, issuer_id, supersedes_id, "
    "valid_from, valid_until, facts, holder_salt, note, status, status_since, status_reason, issued_at"
)


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def filler_rows(
    n: int,
    *,
    first_id: int,
    types: list[tuple[int, str, int]],
    issuers: list[tuple[int, str]],
    holders: list[int],
    note: str,
    today: dt.date,
) -> Iterator[tuple[str, str | None]]:
    """(COPY line, identifier of a row the status endpoint may be asked about) for n filler licenses.

    types: (id, 21-character code, validity years); issuers: (id, USCC). Serials start at
    10,000,000 (real serials count from 1 per type and issuer), so identifiers never collide.
    """
    rng, note_text, pick = random.Random(12), _copy_text(note), [s for s, w in MIX for _ in range(w)]
    prefixes = {(t, c): "".join(f"{LICENSE_ROOT}{code}{cc}".split(".")) for t, code, _ in types for c, cc in issuers}
    row_id, k, lasting = first_id, 0, [t for t in types if t[2]] or types
    while k < n:
        serial, status = f"{10_000_000 + k:08d}", pick[rng.randrange(1000)]
        (type_id, code, years), (issuer_id, cc) = (
            rng.choice(lasting if status == "expired" else types),
            rng.choice(issuers),
        )
        days = rng.randrange(6 * 365, 9 * 365) if status == "expired" else rng.randrange(1, 3 * 365)
        start = (today - dt.timedelta(days=days)).replace(day=1 + days % 28)  # no 29 February
        chain = [status, "valid"] if status == "superseded" else [status]
        for version, state in enumerate(chain, start=1):
            v = f"{version:03d}"
            identifier = f"{LICENSE_ROOT}.{code}.{cc}.{serial}.{v}.{mod37_36_check_char(prefixes[type_id, issuer_id] + serial + v)}"
            until = "\\N" if not years else (start.replace(year=start.year + years) - dt.timedelta(days=1)).isoformat()
            since = f"{start.isoformat()} 09:00:00+08" if state == "valid" else f"{today.isoformat()} 08:00:00+08"
            facts = f'{{"business_name": "基准经营者{k}", "address": "济南市历下区泉城路{k % 1000}号"}}'
            line = "\t".join(
                [str(row_id), identifier, f"{cc[-8:]}{serial}-{v}", serial, str(version), str(type_id),
                 str(rng.choice(holders)), f"基准持证人{k}", str(issuer_id), str(row_id - 1) if version > 1 else "\\N",
                 start.isoformat(), until, facts, f"{rng.getrandbits(256):064x}", note_text, state, since,
                 "" if state == "valid" else "基准测试", f"{start.isoformat()} 09:00:00+08"]
            )  # fmt: skip
            yield line + "\n", identifier
            row_id, k = row_id + 1, k + 1
