"""The per-process pinned versions: committed reads only, and every caller gets its own copy."""

from collections.abc import Callable
from typing import Any

import pytest

from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.catalog.selectors import pinned_version


def _food_version() -> ImplementationVersion:
    return ImplementationVersion.objects.filter(status=VersionStatus.PUBLISHED).order_by("pk").first()  # type: ignore[return-value]


@pytest.mark.django_db(transaction=True)
def test_a_committed_version_is_read_once_and_no_caller_changes_another_callers_copy(
    world: None, django_assert_num_queries: Callable[..., Any]
) -> None:
    version = _food_version()
    pinned_version(version.pk)  # read in autocommit: remembered at once
    with django_assert_num_queries(0):
        mine, theirs = pinned_version(version.pk), pinned_version(version.pk)
        names = [m.name for m in theirs.materials.all()]  # the materials come with it
    assert mine == theirs and mine is not theirs and names
    mine.result_name = "某个请求改过的名称"
    assert pinned_version(version.pk).result_name == version.result_name


def test_a_version_read_in_a_transaction_that_does_not_commit_is_not_remembered(
    world: None, django_assert_num_queries: Callable[..., Any]
) -> None:
    version = _food_version()
    pinned_version(version.pk)
    with django_assert_num_queries(2):  # read again: the test's transaction never commits
        assert pinned_version(version.pk).pk == version.pk
