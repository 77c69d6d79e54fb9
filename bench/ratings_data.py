"""The data of the ratings benchmark (bench/ratings_bench.py): the places it spreads the
ratings over, the bulk SQL that writes them, and the independent raw counts it checks the
figures against.

Every attribute of a generated row is a pure function of its number (hashint8extended with a
seed per attribute), so two runs of the same size write the same rows.
"""

import copy
import json

# 济南's published versions are copied onto an approval department of each of these regions
# (created when the demo has none), so the ratings spread over regions and departments.
REGIONS = ("370102000000", "370103000000", "370112000000", "370900000000", "370902000000", "370911000000",
           "371000000000", "371083000000")  # fmt: skip
WEIGHT_JINAN, WEIGHT_SUPERSEDED, WEIGHT_COPY = 12, 4, 3  # slots per version: share of the cases

START = "2025-12-01 00:00:00+08"  # the 12 months the results and ratings fall in
SECONDS = 365 * 86400


def places() -> list[tuple[int, int, int, int]]:
    """(version id, department id, region id, weight) of every version the cases are filed
    under: 济南's (its superseded 食品经营许可 too) and the copies elsewhere, made here."""
    from yiwang.accounts import services
    from yiwang.accounts.models import Department, DepartmentKind, Region
    from yiwang.catalog.models import Implementation, ImplementationVersion
    from yiwang.demo.world import credit_code

    jinan = Region.objects.get(code="370100000000")
    ivs = ImplementationVersion.objects.select_related("implementation")
    mine = list(ivs.filter(implementation__region=jinan, status__in=["published", "superseded"]))
    found = [
        (iv.pk, iv.implementation.department_id, iv.implementation.region_id,
         WEIGHT_JINAN if iv.status == "published" else WEIGHT_SUPERSEDED)
        for iv in mine
    ]  # fmt: skip
    origin = Department.objects.get(region=jinan, kind=DepartmentKind.APPROVAL_SERVICE)
    sources = [iv for iv in mine if iv.status == "published" and iv.implementation.department_id == origin.pk]
    for code in REGIONS:
        region = Region.objects.get(code=code)
        dept = Department.objects.filter(region=region, kind=DepartmentKind.APPROVAL_SERVICE).first()
        if dept is None:
            serial = f"9{Department.objects.count():07d}1"
            dept = services.department_create(
                actor=None, name=region.name + "行政审批服务局", kind=DepartmentKind.APPROVAL_SERVICE,
                region=region, phone="12345", credit_code=credit_code(code[:6], serial),
            )  # fmt: skip
        for src in sources:
            item = src.implementation.item
            impl, _ = Implementation.objects.get_or_create(
                item=item, region=region, department=dept,
                defaults={"code": f"{dept.credit_code}1{item.basic_code}"},
            )  # fmt: skip
            clone = ImplementationVersion.objects.filter(implementation=impl, status="published").first()
            if clone is None:
                clone = copy.copy(src)
                clone.pk = clone.id = None  # type: ignore[assignment]
                clone.implementation = impl
                clone.process = json.loads(json.dumps(src.process).replace(origin.credit_code, dept.credit_code))
                clone.save()
            found.append((clone.pk, dept.pk, region.pk, WEIGHT_COPY))
    return found


# Parameters: n_cases (rated: 1..n_cases), n_open (cases still in review after them), n (ratings),
# slots (the weighted places), applicants, staff. A literal % is written %%.
GENERATE = r"""
CREATE TEMP TABLE slot (slot int PRIMARY KEY, iv_id bigint, department_id bigint, region_id bigint);
INSERT INTO slot SELECT (p->>0)::int, (p->>1)::bigint, (p->>2)::bigint, (p->>3)::bigint
  FROM jsonb_array_elements(%(slots)s::jsonb) p;
CREATE TEMP TABLE gc AS
  SELECT g AS n, s.iv_id, s.department_id, s.region_id,
    (%(applicants)s::bigint[])[1 + g %% 2] AS applicant_id,
    CASE WHEN g > %(n_cases)s THEN 'in_review'
         WHEN abs(hashint8extended(g, 11)) %% 100 < 85 THEN 'concluded'
         WHEN abs(hashint8extended(g, 11)) %% 100 < 93 THEN 'decided_approved'
         WHEN abs(hashint8extended(g, 11)) %% 100 < 95 THEN 'decided_denied'
         ELSE 'refused' END AS status,
    TIMESTAMPTZ %(start)s + (abs(hashint8extended(g, 12)) %% %(seconds)s) * interval '1 second' AS result_at
  FROM generate_series(1, %(n_cases)s + %(n_open)s) g
  JOIN slot s ON s.slot = abs(hashint8extended(g, 10)) %% %(n_slots)s;
INSERT INTO cases_case (ref, number, status, form_data, idempotency_key, idempotency_fingerprint, delivery_method,
    delivery_address, commitment_text, created_at, updated_at, submitted_at, received_on, accepted_on, deemed_accepted,
    refusal_reason, refusal_basis, decision, decision_opinion, decision_basis, decision_remedies, decided_at,
    decided_by_rule, concluded_at, delivery_reference, applicant_id, department_id, implementation_version_id, region_id)
  SELECT gen_random_uuid(), 'RBENCH-' || lpad(n::text, 9, '0'), status, '{}', '', '', 'electronic', '', '',
    result_at - interval '9 days', result_at, result_at - interval '9 days', (result_at - interval '9 days')::date,
    CASE WHEN status <> 'refused' THEN (result_at - interval '8 days')::date END, false,
    CASE WHEN status = 'refused' THEN '材料不齐全' ELSE '' END, '',
    CASE status WHEN 'decided_denied' THEN 'denied' WHEN 'refused' THEN '' WHEN 'in_review' THEN '' ELSE 'approved' END,
    '', '', '[]',
    CASE WHEN status IN ('concluded', 'decided_approved', 'decided_denied') THEN result_at - interval '1 day' END, '',
    CASE WHEN status = 'concluded' THEN result_at END, '', applicant_id, department_id, iv_id, region_id
  FROM gc ORDER BY n;
CREATE TEMP TABLE gr AS
  SELECT r.*, row_number() OVER (ORDER BY r.n, r.family) AS k,
    CASE WHEN abs(hashint8extended(r.n * 3 + r.fi, 21)) %% 1000 < 12 THEN 1
         WHEN abs(hashint8extended(r.n * 3 + r.fi, 21)) %% 1000 < 30 THEN 2
         WHEN abs(hashint8extended(r.n * 3 + r.fi, 21)) %% 1000 < 130 THEN 3
         WHEN abs(hashint8extended(r.n * 3 + r.fi, 21)) %% 1000 < 430 THEN 4 ELSE 5 END AS grade,
    abs(hashint8extended(r.n * 3 + r.fi, 22)) %% 100 AS h
  FROM (SELECT gc.n, f.family, f.fi
        FROM gc CROSS JOIN (VALUES ('online', 0), ('onsite', 1), ('hotline', 2)) f(family, fi)
        WHERE gc.n <= %(n_cases)s AND CASE f.family WHEN 'online' THEN gc.n %% 20 < 15
                                                    WHEN 'onsite' THEN gc.n %% 4 = 0
                                                    ELSE gc.n %% 20 IN (3, 13) END
        ORDER BY gc.n, f.family LIMIT %(n)s) r;
INSERT INTO ratings_rating (case_id, implementation_version_id, department_id, region_id, rater_id, recorded_by_id,
    channel, family, grade, tags, text, rated_at, handling, response_due, response_overdue_noticed, excluded,
    second_grade, second_text, second_rated_at, ledger_entry_id)
  SELECT c.id, c.implementation_version_id, c.department_id, c.region_id, c.applicant_id,
    CASE WHEN r.family = 'hotline' THEN (%(staff)s::bigint[])[1] END,
    CASE r.family WHEN 'onsite' THEN 'hall_tablet' WHEN 'hotline' THEN 'hotline'
                  ELSE (ARRAY['pc', 'mobile', 'notice_link'])[1 + r.n %% 3] END,
    r.family, r.grade,
    CASE WHEN r.grade <= 2 THEN '["efficiency", "materials"]' WHEN r.h < 30 THEN '["attitude"]' ELSE '[]' END::jsonb,
    CASE WHEN r.grade <= 2 THEN '材料要求不清楚' ELSE '' END,
    c.updated_at + (abs(hashint8extended(r.k, 23)) %% 259200) * interval '1 second',
    CASE WHEN r.grade > 2 THEN 'none' WHEN r.h < 15 THEN 'pending' WHEN r.h < 45 THEN 'fixed'
         WHEN r.h < 60 THEN 'rectifying' WHEN r.h < 85 THEN 'rectified' ELSE 'explained' END,
    CASE WHEN r.grade <= 2 THEN (c.updated_at + interval '5 days')::date END, false,
    CASE WHEN r.grade <= 2 THEN abs(hashint8extended(r.k, 24)) %% 100 < 8
         ELSE abs(hashint8extended(r.k, 24)) %% 1000 < 2 END,
    CASE WHEN r.grade <= 2 AND r.h BETWEEN 60 AND 84 THEN 3 + r.h %% 3 END, '',
    CASE WHEN r.grade <= 2 AND r.h BETWEEN 60 AND 84 THEN c.updated_at + interval '20 days' END, 0
  FROM gr r JOIN cases_case c ON c.number = 'RBENCH-' || lpad(r.n::text, 9, '0') ORDER BY r.k;
INSERT INTO ratings_rectification (rating_id, plan, days, due_on, opened_by_id, opened_at, result, closed_by_id,
    closed_at, overdue_noticed)
  SELECT id, '补充材料清单说明', 7, (rated_at + interval '12 days')::date, (%(staff)s::bigint[])[2],
    rated_at + interval '1 day', CASE WHEN handling = 'rectified' THEN '已更新办事指南' ELSE '' END,
    CASE WHEN handling = 'rectified' THEN (%(staff)s::bigint[])[2] END,
    CASE WHEN handling = 'rectified' THEN rated_at + interval '10 days' END, false
  FROM ratings_rating WHERE handling IN ('rectifying', 'rectified');
INSERT INTO ratings_revisit (rating_id, by_id, way, outcome, at)
  SELECT id, (%(staff)s::bigint[])[1], 'phone', '已电话回访', rated_at + k * interval '2 days'
  FROM ratings_rating CROSS JOIN generate_series(1, 2) k
  WHERE grade <= 2 AND abs(hashint8extended(id, 25)) %% 100 < CASE k WHEN 1 THEN 70 ELSE 20 END;
INSERT INTO ratings_appeal (rating_id, status, reason, filed_by_id, filed_at, decided_by_id, decided_at, decision)
  SELECT id, CASE WHEN excluded THEN 'upheld' ELSE 'dismissed' END, '恶意评价', (%(staff)s::bigint[])[2],
    rated_at + interval '2 days', (%(staff)s::bigint[])[1], rated_at + interval '4 days', '经复核'
  FROM ratings_rating WHERE excluded OR (grade <= 2 AND abs(hashint8extended(id, 26)) %% 100 < 5)
"""

COUNTS = """
SELECT json_build_object(
  'cases', (SELECT count(*) FROM cases_case), 'ratings', (SELECT count(*) FROM ratings_rating),
  'bad', (SELECT count(*) FROM ratings_rating WHERE grade <= 2),
  'by_handling', (SELECT json_object_agg(handling, n) FROM (SELECT handling, count(*) n FROM ratings_rating
                  WHERE grade <= 2 GROUP BY 1) h),
  'by_family', (SELECT json_object_agg(family, n) FROM (SELECT family, count(*) n FROM ratings_rating GROUP BY 1) f),
  'excluded', (SELECT count(*) FROM ratings_rating WHERE excluded),
  'revisits', (SELECT count(*) FROM ratings_revisit), 'rectifications', (SELECT count(*) FROM ratings_rectification),
  'appeals', (SELECT count(*) FROM ratings_appeal),
  'departments', (SELECT count(DISTINCT department_id) FROM ratings_rating),
  'regions', (SELECT count(DISTINCT region_id) FROM ratings_rating),
  'versions', (SELECT count(DISTINCT implementation_version_id) FROM ratings_rating),
  'months', (SELECT count(DISTINCT date_trunc('month', rated_at AT TIME ZONE %(tz)s)) FROM ratings_rating))
"""

# The figures written by hand from the formulas of docs/ratings.md, other joins than the
# ORM's (a LEFT JOIN on distinct ids for the EXISTS): a scope is a WHERE on `r` (a rating)
# or `c` (a case) with %(…)s parameters. 立行立改 = fixed, 整改完成 = rectified.
RAW_RATINGS = """
SELECT count(*), count(*) FILTER (WHERE r.grade IN (1, 2)),
  count(*) FILTER (WHERE r.grade IN (1, 2) AND r.handling IN ('fixed', 'rectified')),
  count(*) FILTER (WHERE r.grade IN (1, 2) AND v.rating_id IS NOT NULL),
  count(*) FILTER (WHERE r.grade = 5), count(*) FILTER (WHERE r.grade = 4), count(*) FILTER (WHERE r.grade = 3),
  count(*) FILTER (WHERE r.grade = 2), count(*) FILTER (WHERE r.grade = 1)
FROM ratings_rating r
LEFT JOIN (SELECT DISTINCT rating_id FROM ratings_revisit) v ON v.rating_id = r.id
JOIN accounts_region rg ON rg.id = r.region_id
JOIN catalog_implementationversion iv ON iv.id = r.implementation_version_id
JOIN catalog_itemversion itv ON itv.id = iv.item_version_id
JOIN catalog_serviceitem it ON it.id = itv.item_id
WHERE NOT r.excluded AND {where}
"""
RAW_CASES = """
SELECT count(*), count(s.case_id)
FROM cases_case c
LEFT JOIN (SELECT DISTINCT case_id FROM ratings_rating WHERE recorded_by_id IS NULL AND NOT excluded) s
  ON s.case_id = c.id
JOIN accounts_region rg ON rg.id = c.region_id
JOIN catalog_implementationversion iv ON iv.id = c.implementation_version_id
JOIN catalog_itemversion itv ON itv.id = iv.item_version_id
JOIN catalog_serviceitem it ON it.id = itv.item_id
WHERE c.status IN ('decided_approved', 'decided_denied', 'concluded', 'refused') AND {where}
"""
