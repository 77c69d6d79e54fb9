"""Search for the public service guide: character bigrams with field weights (ADR 0004).

Chinese has no spaces, so words are not split; every run of Chinese characters is cut into
overlapping bigrams ("食品经营许可" → 食品 品经 经营 营许 许可), ASCII words are kept whole. A
document (one implementation in force) stores each distinct token once with the weight of
the best field it occurs in (name > aliases > result > themes > department > materials).
A query is cut the same way after dropping everyday filler ("我想…怎么办理"); a document
matches when it holds most of the query's tokens, and ranks by Σ weight × idf. Plain SQL (IN + GROUP BY) on an ordinary
index: the same on SQLite and PostgreSQL, no extension to install.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When

from yiwang.accounts.models import Region
from yiwang.catalog.choices import RETIRING_KINDS
from yiwang.catalog.models import (
    LEGAL_ENTITY_OBJECTS,
    ONLINE_FORMS,
    ChangeKind,
    Implementation,
    ImplementationVersion,
    ItemType,
    SearchDocument,
    SearchToken,
    VersionStatus,
)
from yiwang.catalog.themes import THEME_NAMES

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Words people type around what they want; they say nothing about which item it is.
FILLERS = (
    "请问", "我想", "我要", "想要", "打算", "准备", "怎么", "怎样", "如何", "哪里", "在哪", "需要",
    "什么", "办理", "手续", "流程", "一下", "一家", "一个", "去哪", "可以",
)  # fmt: skip
# Everyday words → catalog words. Aliases in the data do most of the work; these help items
# whose administrators wrote none.
SYNONYMS = {
    "饭店": "餐饮",
    "饭馆": "餐饮",
    "餐馆": "餐饮",
    "餐厅": "餐饮",
    "开店": "开办",
    "开公司": "公司设立",
    "执照": "营业执照",
    "卫生证": "卫生许可",
}
WEIGHTS = {"name": 10, "keywords": 8, "result": 6, "themes": 4, "department": 3, "materials": 2, "other": 1}
MAX_RESULTS = 1000
MAX_WEIGHT = 100
MIN_SHOULD_MATCH = 0.6


def token_counts(text: str) -> Counter[str]:
    """Bigrams (single characters for one-character runs) and ASCII words of `text`, with counts."""
    found: Counter[str] = Counter()
    for run in _RUN.findall(text.lower()):
        if not _CJK.match(run):
            found[run[:24]] += 1
        elif len(run) == 1:
            found[run] += 1
        else:
            found.update(run[i : i + 2] for i in range(len(run) - 1))
    return found


def tokens(text: str) -> set[str]:
    return set(token_counts(text))


def clean_query(q: str) -> str:
    text = q.strip().lower()
    for filler in FILLERS:
        text = text.replace(filler, " ")
    return " ".join(text.split())


def _weighted_tokens(fields: dict[str, str]) -> dict[str, int]:
    """Field weight × occurrences (up to 3 per field): a word said in the name and the aliases counts more."""
    weights: Counter[str] = Counter()
    for field, text in fields.items():
        for token, count in token_counts(text).items():
            weights[token] += WEIGHTS[field] * min(count, 3)
    return {token: min(weight, MAX_WEIGHT) for token, weight in weights.items()}


def in_force_version(implementation: Implementation) -> ImplementationVersion | None:
    return (
        ImplementationVersion.objects.filter(implementation=implementation, status=VersionStatus.PUBLISHED)
        .select_related("item_version", "implementation__region", "implementation__department")
        .first()
    )


def _document(version: ImplementationVersion, material_names: list[str]) -> tuple[SearchDocument, dict[str, int]]:
    """The (unsaved) guide document of a published version, and its weighted tokens."""
    implementation = version.implementation
    item = version.item_version
    region, department = implementation.region, implementation.department
    objects = set(item.service_objects)
    document = SearchDocument(
        implementation=implementation,
        implementation_version=version,
        item_id=implementation.item_id,
        basic_code=implementation.item.basic_code,
        name=item.name,
        item_type=item.item_type,
        region_code=region.code,
        region_name=region.name,
        department=department,
        department_name=department.name,
        exercise_level=version.exercise_level,
        themes="," + ",".join(item.themes) + ",",
        for_person="person" in objects,
        for_legal_entity=bool(objects & LEGAL_ENTITY_OBJECTS),
        committed_limit_days=version.committed_limit_days,
        required_visits=version.required_visits,
        online_depth=version.online_depth,
        online=bool(ONLINE_FORMS & set(version.handling_forms)),
        suspended=item.suspended or item.change_kind == ChangeKind.SUSPEND,
        summary=version.result_name[:300],
    )
    fields = {
        "name": item.name,
        "keywords": item.keywords,
        "result": version.result_name,
        "themes": " ".join(THEME_NAMES.get(t, "") for t in item.themes),
        "department": f"{department.name} {item.competent_department}",
        "materials": " ".join(material_names),
        "other": f"{ItemType(item.item_type).label} {region.name}",
    }
    return document, _weighted_tokens(fields)


def _in_guide(version: ImplementationVersion | None) -> bool:
    return version is not None and version.item_version.change_kind not in RETIRING_KINDS


def search_document_refresh(implementation: Implementation) -> SearchDocument | None:
    """Rebuild the guide's document for `implementation` (inside the publishing transaction)."""
    version = in_force_version(implementation)
    SearchDocument.objects.filter(implementation=implementation).delete()
    if version is None or not _in_guide(version):
        return None
    document, weights = _document(version, list(version.materials.values_list("name", flat=True)))
    document.save()
    SearchToken.objects.bulk_create(SearchToken(document=document, token=t, weight=w) for t, w in weights.items())
    return document


def search_rebuild(*, chunk: int = 500) -> int:
    """Rebuild every document (after an import, or a change to the weights), in bulk."""
    SearchToken.objects.all().delete()
    SearchDocument.objects.all().delete()
    versions = (
        ImplementationVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .exclude(item_version__change_kind__in=RETIRING_KINDS)
        .select_related("item_version", "implementation__item", "implementation__region", "implementation__department")
        .prefetch_related("materials")
        .order_by("pk")
    )
    count, last = 0, 0
    while batch := list(versions.filter(pk__gt=last)[:chunk]):
        last = batch[-1].pk
        built = [_document(v, [m.name for m in v.materials.all()]) for v in batch]
        documents = SearchDocument.objects.bulk_create([d for d, _ in built])
        SearchToken.objects.bulk_create(
            (
                SearchToken(document=d, token=t, weight=w)
                for d, (_, weights) in zip(documents, built, strict=True)
                for t, w in weights.items()
            ),
            batch_size=5000,
        )
        count += len(documents)
    return count


@dataclass(frozen=True)
class GuideFilters:
    q: str = ""
    theme: str = ""
    department_id: int | None = None
    region: Region | None = None
    level: str = ""
    service_object: str = ""  # "person" | "enterprise" (any legal entity)


def _prefix_range(field: str, prefix: str) -> Q:
    """`field` starts with the digits `prefix`, as a range both SQLite and PostgreSQL answer from an index."""
    upper = str(int(prefix) + 1).zfill(len(prefix))
    return (
        Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
        if len(upper) == len(prefix)
        else Q(**{f"{field}__gte": prefix})
    )


def _significant(region: Region) -> str:
    return region.code_prefix


def region_scope(region: Region, field: str = "region_code") -> Q:
    """Implementations serving people in `region`: there, above it, or in its sub-regions."""
    return _prefix_range(field, _significant(region)) | Q(**{f"{field}__in": [r.code for r in region.ancestors()]})


def _covers_everything(region: Region) -> bool:
    """True when no document lies outside `region`'s scope (the province of a one-province deployment)."""
    return (
        not region.ancestors()
        and not SearchDocument.objects.exclude(_prefix_range("region_code", _significant(region))).exists()
    )


def _filter_q(filters: GuideFilters, prefix: str = "") -> Q:
    """The filters as one condition on SearchDocument (`prefix` "document__" from SearchToken)."""
    q = Q()
    if filters.theme:
        q &= Q(**{f"{prefix}themes__contains": f",{filters.theme},"})
    if filters.department_id:
        q &= Q(**{f"{prefix}department_id": filters.department_id})
    if filters.region is not None and not _covers_everything(filters.region):
        q &= region_scope(filters.region, f"{prefix}region_code")
    if filters.level:
        q &= Q(**{f"{prefix}exercise_level": filters.level})
    if filters.service_object == "person":
        q &= Q(**{f"{prefix}for_person": True})
    elif filters.service_object == "enterprise":
        q &= Q(**{f"{prefix}for_legal_entity": True})
    return q


class Ranked(Sequence[SearchDocument]):
    """Search results as a sliceable sequence (for Paginator): ids ranked in SQL, rows fetched per page."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    def count(self) -> int:  # type: ignore[override]  # Paginator asks count() for the total
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> SearchDocument: ...
    @overload
    def __getitem__(self, index: slice) -> list[SearchDocument]: ...
    def __getitem__(self, index: int | slice) -> SearchDocument | list[SearchDocument]:
        if isinstance(index, int):
            return self[index : index + 1][0] if index >= 0 else self[len(self) + index]
        ids = self.ids[index]
        rows = SearchDocument.objects.in_bulk(ids)
        return [rows[i] for i in ids]


def guide_results(filters: GuideFilters) -> QuerySet[SearchDocument] | Ranked:
    """Documents matching `filters`: best first for a query, else by code. At most MAX_RESULTS for a query."""
    text = clean_query(filters.q)
    if not text:
        docs = SearchDocument.objects.filter(_filter_q(filters)).order_by("basic_code", "region_code")
        return docs if not filters.q.strip() else docs.none()
    asked = tokens(text)
    expanded = asked | {t for word, syn in SYNONYMS.items() if word in text for t in tokens(syn)}
    frequency = dict(
        SearchToken.objects.filter(token__in=expanded)
        .values_list("token")
        .annotate(n=Count("document"))  # a column of the index: PostgreSQL can answer index-only
        .values_list("token", "n")
    )
    if not frequency:
        return Ranked([])
    total = max(SearchDocument.objects.count(), 1)
    # idf scaled to an integer so the ranking is integer arithmetic on every database.
    idf = {t: round(100 * math.log(1 + total / n)) for t, n in frequency.items()}
    required = [t for t in asked if t in frequency] or list(frequency)
    at_least = max(1, math.ceil(MIN_SHOULD_MATCH * len(required)))
    score = Sum(
        Case(
            *[When(token=t, then=Value(w) * F("weight")) for t, w in idf.items()],
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    # Driven by the (token, document, weight) index: only the rows of the asked tokens are read.
    ranked = (
        SearchToken.objects.filter(_filter_q(filters, "document__"), token__in=list(frequency))
        .values("document_id")
        .annotate(score=score, hits=Count("token", filter=Q(token__in=required)))
        .filter(hits__gte=at_least)
        .order_by("-score", "document_id")
        .values_list("document_id", flat=True)[:MAX_RESULTS]
    )
    return Ranked(list(ranked))


def guide_queryset(filters: GuideFilters) -> list[SearchDocument]:
    """Every matching document, in order (for tests and small lists)."""
    results = guide_results(filters)
    return list(results[: len(results)]) if isinstance(results, Ranked) else list(results)
