"""Case numbers: region code + date + sequence, e.g. 370100-20260210-000123.

Readable (the implementing region and the day of submission), unique, and sortable within
a region. The sequence comes from one counter row per region and day, bumped with a single
`INSERT … ON CONFLICT DO UPDATE … RETURNING` statement (PostgreSQL and SQLite ≥ 3.35): it
is atomic, so concurrent submissions never get the same number and never fail on a race.
The row stays locked until the submitting transaction ends; a rolled-back submission gives
its number back. Past 999,999 cases a day in one region the sequence grows a digit.
"""

import datetime as dt

from django.db import connection, transaction

from yiwang.cases.models import CaseNumberCounter


def case_number_next(*, region_code: str, on: dt.date) -> str:
    """Allocate the next case number for the region (6-digit GB/T 2260 code) and day."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case numbers are allocated inside the submitting transaction")
    prefix = f"{region_code[:6]}-{on:%Y%m%d}"
    qn = connection.ops.quote_name
    table = qn(CaseNumberCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({qn('prefix')}, {qn('last_value')}) VALUES (%s, 1) "  # noqa: S608 - names from model meta
        f"ON CONFLICT ({qn('prefix')}) DO UPDATE SET {qn('last_value')} = {table}.{qn('last_value')} + 1 "
        f"RETURNING {qn('last_value')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix])
        (value,) = cursor.fetchone()
    return f"{prefix}-{int(value):06d}"
