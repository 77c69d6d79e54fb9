"""Reading shared data: one service call per read (docs/exchange.md "Reads").

`shared_read` checks the consumer's grant (in force, the fields within it, a purpose), asks
the resource's provider, keeps only the granted fields, and records the read — a `DataRead`
row for the subject's 我的数据使用记录 and a ledger entry (who read which resource and fields
for which case; the subject's identifier and the purpose only as salted commitments). A
failed fetch is recorded the same way, with why, and raises `ProviderFailed` so the caller
can let the applicant upload instead. It does I/O, so it runs outside any transaction: call
it before the transaction of the change that uses the data.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction

from yiwang.accounts.models import Department, Enterprise, User
from yiwang.accounts.selectors import enterprise_by_credit_code, person_user_by_id_number
from yiwang.core import clock
from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.exchange import rules, selectors
from yiwang.exchange.models import ApiClient, DataRead, Grant, ReadOutcome
from yiwang.exchange.providers import Provider, ProviderFailed, provider_for
from yiwang.ledger.canonical import canonical_json
from yiwang.ledger.events import Domain, ExchangeVerb, event_type
from yiwang.ledger.services import ledger_append


@dataclass(frozen=True)
class SharedRecord:
    record: dict[str, Any]
    source: str  # 提供部门 · 资源名称
    digest: str  # SHA-256 hex of the canonical JSON of the record
    read: DataRead


def _record(
    grant: Grant,
    *,
    fields: Sequence[str],
    purpose: str,
    reference: str,
    actor: User | None,
    client: ApiClient | None,
    subject_id: str,
    subject_user: User | None,
    subject_enterprise: Enterprise | None,
    digest: str = "",
    failure: ProviderFailed | None = None,
) -> DataRead:
    outcome = ReadOutcome.FAILED if failure else ReadOutcome.OK
    payload = {
        "resource": grant.resource.code,
        "consumer": grant.consumer.credit_code,
        "grant": grant.pk,
        "fields": list(fields),
        "reference": reference,
        **({"client": client.application.client_id} if client else {}),
        "outcome": outcome,
        **({"failure": failure.code} if failure else {"digest": digest}),
    }
    with transaction.atomic(durable=True):
        entry = ledger_append(
            kind=event_type(Domain.EXCHANGE, ExchangeVerb.DATA_READ).kind,
            subject=f"grant:{grant.pk}",
            payload=payload,
            personal={"subject": subject_id, "purpose": purpose},
        )
        return DataRead.objects.create(
            grant=grant,
            resource=grant.resource,
            consumer=grant.consumer,
            fields=list(fields),
            purpose=purpose,
            reference=reference,
            actor=actor,
            client=client,
            subject_user=subject_user,
            subject_enterprise=subject_enterprise,
            outcome=outcome,
            failure=failure.message[:300] if failure else "",
            digest=digest,
            at=clock.now(),
            ledger_entry_id=entry.pk,
        )


def shared_read(
    *,
    consumer: Department,
    resource_code: str,
    subject_id: str,
    purpose: str,
    reference: str = "",
    fields: Sequence[str] | None = None,
    actor: User | None = None,
    client: ApiClient | None = None,
    subject_user: User | None = None,
    subject_enterprise: Enterprise | None = None,
    provider: Provider | None = None,
) -> SharedRecord:
    """Read `subject_id`'s record of `resource_code` for `consumer` under its grant (`client`:
    the API client of another system reading for `consumer`, named on the read and its leaf).
    A subject not named by the caller is looked up by its identifier (an enterprise's credit
    code, a person's ID number), so the read shows on their 数据使用记录 whoever made it."""
    blocks = transaction.get_connection().atomic_blocks  # a test case's own block is not a transaction here
    if blocks and not getattr(blocks[-1], "_from_testcase", False):
        raise RuntimeError("shared_read talks to another system: call it outside a transaction")
    problems = rules.text_errors("purpose", "用途", purpose, required=True, max_length=500)
    if problems:
        raise ValidationFailed({"purpose": problems})
    grant = selectors.grant_in_force(consumer_id=consumer.pk, resource_code=resource_code)
    if grant is None:
        raise PermissionDenied(f"{consumer.name}没有数据资源 {resource_code[:60]} 的有效共享授权。", rule="grant")
    fields = list(grant.fields if fields is None else fields)
    outside = [key for key in fields if key not in grant.fields]
    if outside or not fields:
        raise PermissionDenied(f"共享授权不包括信息项：{'、'.join(outside)[:120] or '（未指定）'}", rule="grant_fields")
    if subject_user is None and subject_enterprise is None:  # e.g. an API client's read: whose data is it?
        subject_enterprise = enterprise_by_credit_code(subject_id) if len(subject_id) == 18 else None
        if subject_enterprise is None and len(subject_id) == 18:
            subject_user = person_user_by_id_number(subject_id)
    log = partial(
        _record,
        grant,
        fields=fields,
        purpose=purpose,
        reference=reference,
        actor=actor,
        client=client,
        subject_id=subject_id,
        subject_user=subject_user,
        subject_enterprise=subject_enterprise,
    )
    try:
        record = (provider or provider_for(grant.resource)).fetch(grant.resource, subject_id, fields)
    except ProviderFailed as failure:
        failure.read = log(failure=failure)  # the caller records why, next to this read
        raise
    record = {key: record.get(key) for key in fields}  # minimised: only what the grant allows
    digest = hashlib.sha256(canonical_json(record)).hexdigest()
    read = log(digest=digest)
    return SharedRecord(
        record=record, source=f"{grant.resource.provider.name}·{grant.resource.name}", digest=digest, read=read
    )
