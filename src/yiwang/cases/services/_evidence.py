"""Recording the 免提交 materials of a submission (inside `case_submit`'s transaction).

For each material a provider supplies (cases.evidence), one `CaseEvidence` row — the source
record's identifier, the SHA-256 of the signed record (or of the shared data read) and the
time, or why it could not be fetched — and one `fetch_evidence` CaseEvent with its ledger
entry (the outcome and, for shared data, the ledger entry of the read in the public payload,
the hash and identifier as commitments, like an upload's). A failed fetch already recorded
on the draft (cases.evidence.fetch_shared) gets its event here, not a second row.
"""

from collections.abc import Iterable, Mapping

from yiwang.cases.evidence import Supply
from yiwang.cases.models import Case, CaseEvidence
from yiwang.cases.services import _base as base
from yiwang.catalog.models import Material, MaterialSource
from yiwang.core import clock
from yiwang.ledger.events import CaseVerb


def evidence_record(case: Case, *, materials: Iterable[Material], supplies: Mapping[str, Supply]) -> list[CaseEvidence]:
    """Write what `supplies` found for each of `materials` (those without a lookup are skipped)."""
    now = clock.now()
    rows = []
    for material in materials:
        supply = supplies.get(material.key)
        if supply is None:
            continue
        if supply.pending:  # nothing was read (submission turns these into failures first)
            continue
        if supply.source == MaterialSource.SHARING and supply.supplied:
            message = supply.message
            summary = f"调取免提交材料“{material.name}”：{supply.issuer_name}·{supply.title}（数据共享）"
        elif supply.supplied:
            message = f"已自动调取电子证照：{supply.title}（编号 {supply.number}，有效）"
            summary = f"调取免提交材料“{material.name}”：{supply.title} {supply.number}"
        else:
            message, summary = supply.message, f"未能调取免提交材料“{material.name}”（{supply.failure_label}）"
        row = (
            supply.evidence
            or CaseEvidence.objects.create(
                case=case,
                material=material,
                material_key=material.key,
                material_name=material.name,
                source=supply.source,
                failure=supply.failure,
                message=message[:300],
                reference=supply.reference,  # a failed fetch names the unusable license, if any
                number=supply.number,
                title=supply.title[:100],
                issuer_name=supply.issuer_name[:200],
                license=supply.license,
                sha256=supply.sha256,
                record=supply.record,
                data_read=supply.read,
                fetched_at=supply.fetched_at or now,
            )
        )
        base.record(
            case,
            verb=CaseVerb.FETCH_EVIDENCE,
            actor=None,
            summary=summary,
            from_status=case.status,
            payload={
                "material_key": material.key,
                "source": supply.source,
                "outcome": "fetched" if supply.supplied else supply.failure,
                "evidence": row.pk,
                **({"read_entry": row.data_read.ledger_entry_id} if row.data_read is not None else {}),
            },
            # Which license served the case stays off the public leaf (commitments only).
            personal={"sha256": row.sha256, **({"reference": row.reference} if row.reference else {})},
        )
        rows.append(row)
    return rows
