"""The data of the supervision benchmark (bench/supervision_bench.py): a province shaped like
Shandong (domain.md §8: 16 cities, 136 county-level units), a few hundred departments, 50
items with skewed volume, and the SQL that writes the roll-ups of N cases over 12 months, the
open cases, and the raw figures the dashboard is checked against.

**Closed cases are represented by their roll-ups only.** The dashboard, the evaluation and
the public page never read a closed case: every figure of a period is an aggregate over
`DailyFigures` / `DailyRatings` rows, open cases by state come from `StatusCount`, and only
the "now" figures (红牌 overdue, 黄牌 warned, and the overdue column per group) read the case
table, through `status` + `due_date` / `warning_date` — i.e. only cases in a running state.
So what the reads cost depends on the number of roll-up rows (days × departments × regions
× items that had activity) and of open cases, both written here at the size N cases make;
9.7 M closed case rows would sit in the table unread (the drill-down lists read them, but
they are not part of this benchmark). The roll-up rows are written as a steady state: each
(day, department, item) row's counters follow from that day's applications with fixed
shares (95 % accepted, 97 % of those concluded, 98 % on time, …), rounded stochastically, so
concluded ≤ accepted ≤ submitted and the histogram adds up to `concluded` and `days_used`;
the rows of all items (item code '', models.ALL_ITEMS) are their sums, histograms merged.

Every attribute of a generated row is a pure function of its number (hashint8extended with a
seed per attribute), so two runs of the same size write the same rows.
"""

import json

# (code, name, share of the province's volume %, county-level units): the 16 cities.
CITIES = [
    ("370100000000", "济南市", 10.5, 12), ("370200000000", "青岛市", 12.0, 10), ("370300000000", "淄博市", 4.5, 8),
    ("370400000000", "枣庄市", 3.5, 6), ("370500000000", "东营市", 2.5, 5), ("370600000000", "烟台市", 7.5, 11),
    ("370700000000", "潍坊市", 8.5, 12), ("370800000000", "济宁市", 7.5, 11), ("370900000000", "泰安市", 5.0, 6),
    ("371000000000", "威海市", 3.0, 4), ("371100000000", "日照市", 3.0, 4), ("371300000000", "临沂市", 10.0, 12),
    ("371400000000", "德州市", 5.5, 11), ("371500000000", "聊城市", 5.5, 8), ("371600000000", "滨州市", 3.5, 7),
    ("371700000000", "菏泽市", 8.0, 9),
]  # fmt: skip
# Departments of a city (kind, name suffix, share of the city level) and of a county.
CITY_DEPARTMENTS = [("approval_service", "行政审批服务局", 0.6), ("market_regulation", "市场监督管理局", 0.1),
                    ("health", "卫生健康委员会", 0.1), ("natural_resources", "自然资源和规划局", 0.1),
                    ("housing", "住房和城乡建设局", 0.1)]  # fmt: skip
COUNTY_DEPARTMENTS = [("approval_service", "行政审批服务局", 0.7), ("market_regulation", "市场监督管理局", 0.3)]
CITY_LEVEL_SHARE = 0.4  # of a city's volume; its counties share the rest (unevenly)
N_ITEMS = 50
DAYS = 365
WEEKEND = 0.3  # a weekend day's volume against a weekday's (halls open on Saturdays in some cities)


def item_limits(i: int) -> tuple[int, int]:
    """(statutory, committed) working days of item number i (1-based): a few on-the-spot items
    (statutory 1, committed 0), most 20 days committed to 5–10."""
    if i % 10 == 3:
        return 1, 0
    return (20, 5 + i % 6) if i % 3 else (15, 3 + i % 4)


def regions_sql() -> tuple[str, dict]:
    """Cities and county-level units missing from the demo (ON CONFLICT keeps the demo's)."""
    rows = []
    for code, name, _, counties in CITIES:
        rows.append([code, name, "prefecture", "370000000000"])
        rows += [[f"{code[:4]}{k:02d}000000", f"{name[:-1]}第{k}区县", "county", code] for k in range(1, counties + 1)]
    sql = """
INSERT INTO accounts_region (code, name, level, parent_id, sort_order)
  SELECT p->>0, p->>1, p->>2, (SELECT id FROM accounts_region WHERE code = p->>3), 0
  FROM jsonb_array_elements(%(rows)s::jsonb) WITH ORDINALITY AS t(p, n) ORDER BY n
  ON CONFLICT (code) DO NOTHING"""
    return sql, {"rows": json.dumps(rows)}


def departments_sql() -> tuple[str, dict]:
    """The departments of every city and county (a name already taken in a region is kept)."""
    rows = []
    for code, name, _, counties in CITIES:
        rows += [[code, name + suffix, kind] for kind, suffix, _ in CITY_DEPARTMENTS]
        for k in range(1, counties + 1):
            rows += [[f"{code[:4]}{k:02d}000000", f"{name[:-1]}第{k}区县{suffix}", kind]
                     for kind, suffix, _ in COUNTY_DEPARTMENTS]  # fmt: skip
    sql = """
INSERT INTO accounts_department (name, kind, region_id, credit_code, phone, address)
  SELECT p->>1, p->>2, rg.id, 'SB' || lpad(n::text, 16, '0'), '12345', ''
  FROM jsonb_array_elements(%(rows)s::jsonb) WITH ORDINALITY AS t(p, n)
  JOIN accounts_region rg ON rg.code = p->>0
  ON CONFLICT DO NOTHING"""
    return sql, {"rows": json.dumps(rows)}


def combos(departments: dict[tuple[str, str], tuple[int, int]], codes: list[str]) -> list[list]:
    """[combo, department id, region id, item code, weight, statutory, committed, version index]
    of every (department, item) that handles cases; the weights add up to 1.

    `departments` maps (region code, kind) to (department id, region id); `codes[i - 1]` is
    item i's basic code. Items follow Zipf (item i ∝ 1/i); a city's approval bureau handles
    all 50, its other departments 10 each, a county's approval bureau items 1–30 and its
    market regulator 12 of those."""
    out: list[list] = []

    def add(dept: tuple[int, int], share: float, items: list[int]) -> None:
        total = sum(1 / i for i in items)
        for i in items:
            statutory, committed = item_limits(i)
            out.append([len(out) + 1, dept[0], dept[1], codes[i - 1], share * (1 / i) / total, statutory, committed,
                        i - 1])  # fmt: skip

    for code, _, volume, counties in CITIES:
        city = volume / 100
        for n, (kind, _, share) in enumerate(CITY_DEPARTMENTS):
            items = list(range(1, N_ITEMS + 1)) if n == 0 else [i for i in range(1, N_ITEMS + 1) if i % 5 == n]
            add(departments[(code, kind)], city * CITY_LEVEL_SHARE * share, items)
        # Counties: uneven (the district around the city hall is three times the smallest).
        sizes = [1 + 2 * ((k * 7) % counties) / max(1, counties - 1) for k in range(1, counties + 1)]
        for k, size in enumerate(sizes, start=1):
            county = f"{code[:4]}{k:02d}000000"
            county_share = city * (1 - CITY_LEVEL_SHARE) * size / sum(sizes)
            for n, (kind, _, share) in enumerate(COUNTY_DEPARTMENTS):
                items = list(range(1, 31)) if n == 0 else [i for i in range(1, 31) if i % 5 in (1, 2)]
                add(departments[(county, kind)], county_share * share, items)
    return out


# The demo's own roll-ups are replaced (its few open cases are counted in StatusCount with
# the generated ones). Parameters: n (cases over the year), n_open, weekend, combos (JSON), end (the last day), today,
# applicant, versions (implementation version ids; an open case of item i is filed under
# versions[i mod len]), slots (open cases are spread by weight over this many slots).
# Helpers: pg_temp.u(k, seed) a uniform [0, 1) of row k; pg_temp.part(n, p, k, seed) ≈ n × p
# rounded stochastically, never above n.
GENERATE = r"""
DELETE FROM supervision_dailyfigures;
DELETE FROM supervision_dailyratings;
DELETE FROM supervision_statuscount;
CREATE FUNCTION pg_temp.u(k bigint, seed bigint) RETURNS float8 IMMUTABLE LANGUAGE sql
  AS 'SELECT mod(abs(hashint8extended(k, seed)), 1000000) / 1e6::float8';
CREATE FUNCTION pg_temp.part(n int, p float8, k bigint, seed bigint) RETURNS int IMMUTABLE LANGUAGE sql
  AS 'SELECT least(n, floor(n * p + pg_temp.u(k, seed))::int)';
CREATE TEMP TABLE combo (id int PRIMARY KEY, department_id bigint, region_id bigint, item_code text, w float8,
  stat int, com int, iv int);
INSERT INTO combo SELECT (p->>0)::int, (p->>1)::bigint, (p->>2)::bigint, p->>3, (p->>4)::float8, (p->>5)::int,
  (p->>6)::int, (p->>7)::int FROM jsonb_array_elements(%(combos)s::jsonb) p;
CREATE TEMP TABLE gd AS
  SELECT d.day, c.id AS combo, c.department_id, c.region_id, c.item_code, c.stat, c.com, d.k, s.submitted
  FROM (SELECT %(end)s::date - i AS day, i::bigint * 100000 AS k,
          CASE WHEN extract(isodow FROM %(end)s::date - i) > 5 THEN %(weekend)s ELSE 1 END
            * 7 / (5 + 2 * %(weekend)s) AS f
        FROM generate_series(0, 364) i) d
  CROSS JOIN combo c
  CROSS JOIN LATERAL (SELECT floor(%(n)s::float8 / 365 * c.w * d.f + pg_temp.u(d.k + c.id, 1))::int AS submitted) s
  WHERE s.submitted > 0;
CREATE TEMP TABLE gf AS
  SELECT g.*, a.accepted, g.submitted - a.accepted AS refused, b.concluded, b.on_time, b.within
  FROM gd g
  CROSS JOIN LATERAL (SELECT pg_temp.part(g.submitted, 0.95, g.k + g.combo, 2) AS accepted) a
  CROSS JOIN LATERAL (SELECT x.concluded, y.on_time, pg_temp.part(y.on_time, 0.95, g.k + g.combo, 5) AS within
                      FROM (SELECT pg_temp.part(a.accepted, 0.97, g.k + g.combo, 3) AS concluded) x
                      CROSS JOIN LATERAL (SELECT x.concluded - pg_temp.part(x.concluded, 0.02, g.k + g.combo, 4)
                                          AS on_time) y) b;
INSERT INTO supervision_dailyfigures (day, department_id, region_id, item_code, submitted, submitted_online, accepted,
    refused, supplement_requests, approved, denied, decided_by_rule, withdrawn, revoked, concluded, concluded_on_time,
    concluded_within_commitment, concluded_zero_visit, days_used, statutory_days, committed_days, days_histogram,
    warnings, overdue)
  SELECT day, department_id, region_id, item_code, submitted, pg_temp.part(submitted, 0.84, k + combo, 6), accepted,
    refused, pg_temp.part(submitted, 0.08, k + combo, 7), approved, concluded - approved,
    pg_temp.part(approved, 0.1, k + combo, 9), pg_temp.part(submitted, 0.01, k + combo, 10),
    pg_temp.part(approved, 0.002, k + combo, 11), concluded, on_time, within,
    pg_temp.part(concluded, 0.6, k + combo, 12), v1 * b1 + v2 * b2 + v3 * b3 + v4 * b4, concluded * stat,
    concluded * com,
    coalesce((SELECT jsonb_object_agg(v::text, n) FROM (SELECT v, sum(n) AS n FROM (VALUES (v1, b1), (v2, b2), (v3, b3),
              (v4, b4)) x(v, n) WHERE n > 0 GROUP BY v) y), '{}'::jsonb),
    pg_temp.part(submitted, 0.05, k + combo, 13), pg_temp.part(submitted, 0.02, k + combo, 14)
  FROM (SELECT gf.*, pg_temp.part(concluded, 0.96, k + combo, 8) AS approved,
          com / 3 AS v1, pg_temp.part(within, 0.4, k + combo, 15) AS b1,
          com AS v2, within - pg_temp.part(within, 0.4, k + combo, 15) AS b2,
          com + greatest(1, (stat - com) / 2) AS v3, on_time - within AS b3,
          stat + 1 + mod(k + combo, 5)::int AS v4, concluded - on_time AS b4
        FROM gf) h
  ORDER BY day, department_id, item_code;
INSERT INTO supervision_dailyratings (day, department_id, region_id, item_code, rated, bad, put_right)
  SELECT day, department_id, region_id, item_code, rated, bad, pg_temp.part(bad, 0.6, k + combo, 18)
  FROM (SELECT r.*, pg_temp.part(rated, 0.004, k + combo, 17) AS bad
        FROM (SELECT gf.*, pg_temp.part(concluded, 0.8, k + combo, 16) AS rated FROM gf) r) b
  WHERE rated > 0
  ORDER BY day, department_id, item_code;
INSERT INTO supervision_dailyfigures (day, department_id, region_id, item_code, submitted, submitted_online, accepted,
    refused, supplement_requests, approved, denied, decided_by_rule, withdrawn, revoked, concluded, concluded_on_time,
    concluded_within_commitment, concluded_zero_visit, days_used, statutory_days, committed_days, days_histogram,
    warnings, overdue)
  SELECT s.day, s.department_id, s.region_id, '', submitted, submitted_online, accepted, refused, supplement_requests,
    approved, denied, decided_by_rule, withdrawn, revoked, concluded, concluded_on_time, concluded_within_commitment,
    concluded_zero_visit, days_used, statutory_days, committed_days, coalesce(h.hist, '{}'::jsonb), warnings, overdue
  FROM (SELECT day, department_id, region_id, sum(submitted) submitted, sum(submitted_online) submitted_online,
          sum(accepted) accepted, sum(refused) refused, sum(supplement_requests) supplement_requests,
          sum(approved) approved, sum(denied) denied, sum(decided_by_rule) decided_by_rule, sum(withdrawn) withdrawn,
          sum(revoked) revoked, sum(concluded) concluded, sum(concluded_on_time) concluded_on_time,
          sum(concluded_within_commitment) concluded_within_commitment, sum(concluded_zero_visit) concluded_zero_visit,
          sum(days_used) days_used, sum(statutory_days) statutory_days, sum(committed_days) committed_days,
          sum(warnings) warnings, sum(overdue) overdue
        FROM supervision_dailyfigures GROUP BY 1, 2, 3) s
  LEFT JOIN (SELECT day, department_id, region_id, jsonb_object_agg(v, n) AS hist
             FROM (SELECT day, department_id, region_id, e.key AS v, sum(e.value::int) AS n
                   FROM supervision_dailyfigures, jsonb_each_text(days_histogram) e GROUP BY 1, 2, 3, 4) x
             GROUP BY 1, 2, 3) h USING (day, department_id, region_id)
  ORDER BY s.day, s.department_id;
INSERT INTO supervision_dailyratings (day, department_id, region_id, item_code, rated, bad, put_right)
  SELECT day, department_id, region_id, '', sum(rated), sum(bad), sum(put_right) FROM supervision_dailyratings
  GROUP BY 1, 2, 3 ORDER BY 1, 2;
CREATE TEMP TABLE slot AS
  SELECT row_number() OVER (ORDER BY c.id, g) - 1 AS slot, c.id AS combo
  FROM combo c CROSS JOIN LATERAL generate_series(1, round(c.w * %(slots)s)::int) g;
CREATE TEMP TABLE gc AS
  SELECT g AS n, c.*,
    CASE WHEN h < 12 THEN 'submitted' WHEN h < 15 THEN 'supplement_requested' WHEN h < 82 THEN 'in_review'
         WHEN h < 86 THEN 'supplement_pending' WHEN h < 88 THEN 'suspended' WHEN h < 96 THEN 'decided_approved'
         ELSE 'decided_denied' END AS status,
    %(today)s::date - mod(abs(hashint8extended(g, 32)), 40)::int AS received,
    %(today)s::date + (mod(abs(hashint8extended(g, 33)), 60) - 5)::int AS due
  FROM (SELECT g, mod(abs(hashint8extended(g, 31)), 100) AS h FROM generate_series(1, %(n_open)s) g) x
  JOIN slot s ON s.slot = mod(abs(hashint8extended(g, 30)), (SELECT count(*) FROM slot))
  JOIN combo c ON c.id = s.combo;
INSERT INTO cases_case (ref, number, status, form_data, idempotency_key, idempotency_fingerprint, delivery_method,
    delivery_address, commitment_text, created_at, updated_at, submitted_at, received_on, accepted_on, deemed_accepted,
    refusal_reason, refusal_basis, decision, decision_opinion, decision_basis, decision_remedies, decided_at,
    decided_by_rule, concluded_at, delivery_reference, applicant_id, department_id, implementation_version_id,
    region_id, due_date, committed_due_date, warning_date)
  SELECT gen_random_uuid(), 'SBENCH-' || lpad(n::text, 9, '0'), status, '{}', '', '', 'electronic', '', '',
    received::timestamptz, received::timestamptz, received::timestamptz, received,
    CASE WHEN status NOT IN ('submitted', 'supplement_requested') THEN received + 1 END, false, '', '',
    CASE status WHEN 'decided_approved' THEN 'approved' WHEN 'decided_denied' THEN 'denied' ELSE '' END, '', '', '[]',
    CASE WHEN status LIKE 'decided%%' THEN %(today)s::date::timestamptz END, '', NULL, '', %(applicant)s,
    department_id, (%(versions)s::bigint[])[1 + mod(iv, array_length(%(versions)s::bigint[], 1))], region_id,
    CASE WHEN status NOT IN ('submitted', 'supplement_requested') THEN due END,
    CASE WHEN status NOT IN ('submitted', 'supplement_requested') THEN due - 5 END,
    CASE WHEN status NOT IN ('submitted', 'supplement_requested') THEN due - 3 END
  FROM gc ORDER BY n;
INSERT INTO supervision_statuscount (department_id, region_id, item_code, state, cases)
  SELECT department_id, region_id, item_code, status, sum(n) FROM (
    SELECT department_id, region_id, item_code, 'concluded' AS status, sum(concluded - revoked) AS n
      FROM supervision_dailyfigures WHERE item_code <> '' GROUP BY 1, 2, 3
    UNION ALL SELECT department_id, region_id, item_code, 'revoked', sum(revoked) FROM supervision_dailyfigures
      WHERE item_code <> '' GROUP BY 1, 2, 3
    UNION ALL SELECT department_id, region_id, item_code, 'refused', sum(refused) FROM supervision_dailyfigures
      WHERE item_code <> '' GROUP BY 1, 2, 3
    UNION ALL SELECT department_id, region_id, item_code, 'withdrawn', sum(withdrawn) FROM supervision_dailyfigures
      WHERE item_code <> '' GROUP BY 1, 2, 3
    UNION ALL SELECT c.department_id, c.region_id, it.basic_code, c.status, count(*) FROM cases_case c
      JOIN catalog_implementationversion iv ON iv.id = c.implementation_version_id
      JOIN catalog_itemversion itv ON itv.id = iv.item_version_id
      JOIN catalog_serviceitem it ON it.id = itv.item_id
      WHERE c.status IN ('submitted', 'supplement_requested', 'in_review', 'supplement_pending', 'suspended',
                         'decided_approved', 'decided_denied') GROUP BY 1, 2, 3, 4) s
  WHERE n > 0 GROUP BY 1, 2, 3, 4
"""

# The monthly rows of all items (models.MonthlyFigures): the sums of the daily rows of all
# items per calendar month, histograms merged (what the observer and rollup.rebuild keep).
_SUMS = """sum(submitted), sum(submitted_online), sum(accepted), sum(refused), sum(supplement_requests),
  sum(approved), sum(denied), sum(decided_by_rule), sum(withdrawn), sum(revoked), sum(concluded),
  sum(concluded_on_time), sum(concluded_within_commitment), sum(concluded_zero_visit), sum(days_used),
  sum(statutory_days), sum(committed_days), sum(warnings), sum(overdue)"""
_MONTH_COLUMNS = """month, department_id, region_id, submitted, submitted_online, accepted, refused,
  supplement_requests, approved, denied, decided_by_rule, withdrawn, revoked, concluded, concluded_on_time,
  concluded_within_commitment, concluded_zero_visit, days_used, statutory_days, committed_days, warnings, overdue,
  days_histogram"""
_MONTHS_OF_DAYS = f"""
  SELECT s.*, coalesce(h.hist, '{{}}'::jsonb)
  FROM (SELECT date_trunc('month', day)::date AS month, department_id, region_id, {_SUMS}
        FROM supervision_dailyfigures WHERE item_code = '' GROUP BY 1, 2, 3) s
  LEFT JOIN (SELECT month, department_id, region_id, jsonb_object_agg(v, n) AS hist
             FROM (SELECT date_trunc('month', day)::date AS month, department_id, region_id, e.key AS v,
                     sum(e.value::int) AS n
                   FROM supervision_dailyfigures, jsonb_each_text(days_histogram) e WHERE item_code = ''
                   GROUP BY 1, 2, 3, 4) x
             GROUP BY 1, 2, 3) h USING (month, department_id, region_id)"""
MONTHLY = f"""
DELETE FROM supervision_monthlyfigures;
INSERT INTO supervision_monthlyfigures ({_MONTH_COLUMNS}) {_MONTHS_OF_DAYS}
  ORDER BY 1, 2
"""
# The month rows that differ from the sums of their days (either way): 0 when the observer
# kept both levels alike.
MONTHLY_CHECK = f"""
SELECT (SELECT count(*) FROM ({_MONTHS_OF_DAYS} EXCEPT SELECT {_MONTH_COLUMNS} FROM supervision_monthlyfigures) a)
     + (SELECT count(*) FROM (SELECT {_MONTH_COLUMNS} FROM supervision_monthlyfigures EXCEPT {_MONTHS_OF_DAYS}) b)
"""

COUNTS = """
SELECT json_build_object(
  'daily_rows', (SELECT count(*) FROM supervision_dailyfigures WHERE item_code <> ''),
  'all_items_rows', (SELECT count(*) FROM supervision_dailyfigures WHERE item_code = ''),
  'monthly_rows', (SELECT count(*) FROM supervision_monthlyfigures),
  'submitted', (SELECT sum(submitted) FROM supervision_dailyfigures WHERE item_code <> ''),
  'concluded', (SELECT sum(concluded) FROM supervision_dailyfigures WHERE item_code <> ''),
  'rating_rows', (SELECT count(*) FROM supervision_dailyratings),
  'status_rows', (SELECT count(*) FROM supervision_statuscount),
  'open_cases', (SELECT count(*) FROM cases_case WHERE number LIKE 'SBENCH-%%'),
  'departments', (SELECT count(DISTINCT department_id) FROM supervision_dailyfigures),
  'regions', (SELECT count(DISTINCT region_id) FROM supervision_dailyfigures),
  'items', (SELECT count(DISTINCT item_code) FROM supervision_dailyfigures WHERE item_code <> ''),
  'days', (SELECT count(DISTINCT day) FROM supervision_dailyfigures),
  'last_day', (SELECT max(day) FROM supervision_dailyfigures WHERE item_code <> ''),
  'daily_mb', (SELECT pg_total_relation_size('supervision_dailyfigures') / 1048576))
"""

# The figures written by hand from the formulas of docs/supervision.md: sums of the roll-up
# rows of each item (not the rows of all items, which the dashboard reads) of the period and places (`{where}` on f, the row, and rg, its region), the P90 as the
# nearest rank over the merged histogram, the "now" counts from the case table.
RAW_TOTALS = """
SELECT sum(submitted), sum(submitted_online), sum(accepted), sum(refused), sum(supplement_requests), sum(approved),
  sum(denied), sum(decided_by_rule), sum(withdrawn), sum(revoked), sum(concluded), sum(concluded_on_time),
  sum(concluded_within_commitment), sum(concluded_zero_visit), sum(days_used), sum(statutory_days),
  sum(committed_days), sum(warnings), sum(overdue)
FROM supervision_dailyfigures f JOIN accounts_region rg ON rg.id = f.region_id
WHERE f.day BETWEEN %(since)s AND %(until)s AND f.item_code <> '' AND {where}
"""
RAW_P90 = """
WITH h AS (SELECT e.key::int AS v, sum(e.value::int) AS n
           FROM supervision_dailyfigures f JOIN accounts_region rg ON rg.id = f.region_id,
             jsonb_each_text(f.days_histogram) e
           WHERE f.day BETWEEN %(since)s AND %(until)s AND f.item_code <> '' AND {where} GROUP BY 1),
     c AS (SELECT v, sum(n) OVER (ORDER BY v) AS cum, sum(n) OVER () AS total FROM h)
SELECT min(v) FROM c WHERE cum >= ceil(0.9 * total)
"""
RAW_RATED = """
SELECT coalesce(sum(rated), 0), coalesce(sum(bad), 0), coalesce(sum(put_right), 0)
FROM supervision_dailyratings f JOIN accounts_region rg ON rg.id = f.region_id
WHERE f.day BETWEEN %(since)s AND %(until)s AND f.item_code <> '' AND {where}
"""
RAW_NOW = """
SELECT count(*) FILTER (WHERE f.status = 'in_review' AND f.committed_due_date < %(today)s),
  count(*) FILTER (WHERE f.status = 'in_review' AND f.warning_date <= %(today)s AND f.committed_due_date >= %(today)s),
  count(*) FILTER (WHERE f.status = 'in_review' AND f.due_date < %(today)s)
FROM cases_case f JOIN accounts_region rg ON rg.id = f.region_id
WHERE {where}
"""
