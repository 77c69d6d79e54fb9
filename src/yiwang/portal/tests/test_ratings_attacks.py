"""Hostile input on the 好差评 pages: absurd grades, another applicant, the same rating twice, a 10 MB
body to a rating link, a NUL in a public filter — each a clear 4xx, nothing kept, the platform
still answering."""

import pytest
from django.test import Client

from yiwang.ratings.models import Rating
from yiwang.ratings.tests.scene import concluded

pytestmark = pytest.mark.django_db


def test_hostile_rating_input_is_refused_clearly_and_keeps_nothing(login_as) -> None:  # type: ignore[no-untyped-def]
    case = concluded()
    url = f"/me/cases/{case.number}/rating/"
    z = login_as("zhangsan")
    for grade in ("1e999999", "NaN", "5\x00", "-1"):
        r = z.post(url, {"grade": grade, "text": "x"})
        assert 400 <= r.status_code < 500, (grade, r.status_code)
    assert login_as("lisi").post(url, {"grade": "1"}).status_code in (403, 404)
    assert z.post(url, {"grade": "5"}).status_code == 302
    assert z.post(url, {"grade": "1"}).status_code == 409
    assert Rating.objects.count() == 1
    big = Client().post(f"/rate/{'x' * 32}/", {"grade": "1", "text": "a" * 10_000_000})
    assert 400 <= big.status_code < 500, big.status_code
    assert Client().get("/ratings/?item=%00").status_code == 400
    assert Client().get("/api/v1/health").status_code == 200
