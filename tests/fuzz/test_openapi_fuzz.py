"""Fuzz every API operation from the served OpenAPI schema (schemathesis, in-process WSGI).

Each operation is called with generated valid and invalid input, three times over: as an
anonymous caller, as an applicant (zhangsan) and as a window clerk (jn_window), with the demo
world loaded. Checks: no 5xx; every status, content type and body is the one the schema
documents (problem responses included, see yiwang.api.openapi). Generation is deterministic
and bounded so CI is reproducible and the run stays within a few minutes.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(params=["anonymous", "zhangsan", "jn_window"])
def persona(request: pytest.FixtureRequest, world: None) -> dict[str, dict[str, str]]:
    """What the persona sends: its session cookie and, for unsafe methods, the CSRF token."""
    if request.param == "anonymous":
        return {"headers": {}, "cookies": {}}
    from django.conf import settings as django_settings

    from yiwang.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=request.param))
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    token = get_random_string(32)  # a CSRF secret, sent as cookie and header alike
    return {
        "headers": {"X-CSRFToken": token},
        "cookies": {django_settings.SESSION_COOKIE_NAME: session, django_settings.CSRF_COOKIE_NAME: token},
    }


@pytest.fixture
def api_schema(world: None) -> Iterator[Any]:
    """The schema as the platform serves it, loaded through the WSGI application (no server)."""
    from yiwang.config.wsgi import application

    # As Django's test client does: the WSGI handler would close the database connection at
    # the end of each request, and with it the test's transaction (on PostgreSQL).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        # The session cookie is the persona's to send (or not): generating it, or "invalid"
        # variants of it that the persona's real cookie then overrides, would test nothing.
        schema.config.generation.update(with_security_parameters=False)
        yield schema
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def known_ids(world: None, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """Path parameters that exist in the demo world with its cases in every state, so generated
    calls also get past the 404 into the case engine (zhangsan's submitted case, which the
    window may act on; zhangsan's draft; an open review task)."""
    from yiwang.cases.models import Case, Task
    from yiwang.catalog.models import ImplementationVersion, ItemVersion
    from yiwang.demo.cases import load_cases

    settings.MEDIA_ROOT = str(tmp_path / "media")
    assert load_cases()["cases"] > 0
    implementation = ImplementationVersion.objects.select_related("item_version__item").order_by("pk").first()
    item_version = ItemVersion.objects.order_by("pk").first()
    case = Case.objects.filter(applicant__username="zhangsan", status="submitted").order_by("pk").first()
    draft = Case.objects.filter(applicant__username="zhangsan", status="draft").order_by("pk").first()
    task = Task.objects.filter(status="open").order_by("pk").first()
    assert None not in (implementation, item_version, case, draft, task)
    return {
        "basic_code": implementation.item_version.item.basic_code,  # type: ignore[union-attr]
        "version_id": implementation.pk,  # type: ignore[union-attr]
        "item_version_id": item_version.pk,  # type: ignore[union-attr]
        "number": case.number,  # type: ignore[union-attr]
        "ref": str(draft.ref),  # type: ignore[union-attr]
        "task_id": task.pk,  # type: ignore[union-attr]
    }


def _strategy(operation: Any, known_ids: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Valid input, valid input on a resource that exists, and invalid input."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    names = {p.name for p in operation.path_parameters}
    if names and names <= known_ids.keys():
        known = {name: known_ids[name] for name in names}
        if "version_id" in names and "/item-versions/" in operation.path:
            known["version_id"] = known_ids["item_version_id"]
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known))
    definition = operation.definition.raw
    if definition.get("parameters") or definition.get("requestBody"):
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(*strategies)


def test_every_operation(api_schema: Any, persona: dict[str, dict[str, str]], known_ids: dict[str, Any]) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 40  # the whole API, not an empty schema

    for operation in operations:

        @given(case=_strategy(operation, known_ids))
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: report the first failure
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=persona["headers"], cookies=persona["cookies"], checks=CHECKS)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failures, report them together
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
