"""`path_with` gives the address `reverse()` gives, inside a request and outside one."""

import pytest
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix
from hypothesis import given
from hypothesis import strategies as st

from yiwang.core.paths import path_of, path_with
from yiwang.core.request_memo import RequestMemoMiddleware

ROUTES = ["workbench:case", "portal:my_case"]
NUMBERS = ["370100-20260401-000001", "草稿 1", "a%2Fb", "100%", "x?y#z", "~:@!$&'()*+,;=", "None"]


def in_a_request(compute):  # type: ignore[no-untyped-def]
    """`compute()` while RequestMemoMiddleware runs a request, so the memo is in use."""
    answer = []

    def view(request: HttpRequest) -> HttpResponse:
        answer.append(compute())
        return HttpResponse()

    RequestMemoMiddleware(view)(HttpRequest())
    return answer[0]


@pytest.mark.parametrize("name", ROUTES)
def test_the_same_address_as_reverse_for_every_row_of_a_request(name: str) -> None:
    expected = [reverse(name, args=[n]) for n in NUMBERS]
    assert in_a_request(lambda: [path_with(name, n) for n in NUMBERS]) == expected
    assert [path_with(name, n) for n in NUMBERS] == expected


@given(st.text(min_size=1, max_size=30).filter(lambda t: "/" not in t))
def test_any_value_the_route_takes_is_quoted_as_reverse_quotes_it(text: str) -> None:
    assert in_a_request(lambda: path_with("workbench:case", text)) == reverse("workbench:case", args=[text])


def test_a_value_the_route_refuses_is_refused_as_before() -> None:
    for value in ["", "a/b"]:
        with pytest.raises(NoReverseMatch):
            in_a_request(lambda value=value: path_with("workbench:case", value))


def test_a_site_under_a_script_prefix_keeps_it() -> None:
    set_script_prefix("/gov/")
    try:
        assert in_a_request(lambda: path_with("workbench:case", "370100-1")) == "/gov/workbench/cases/370100-1/"
    finally:
        set_script_prefix("/")


def test_a_fixed_address_is_what_reverse_gives_under_each_script_prefix() -> None:
    names = ["portal:home", "workbench:home", "accounts:logout", "api-docs"]
    assert [path_of(n) for n in names] == [reverse(n) for n in names]
    set_script_prefix("/gov/")
    try:
        assert [path_of(n) for n in names] == [reverse(n) for n in names]
        assert path_of("portal:home") == "/gov/"
    finally:
        set_script_prefix("/")
    assert path_of("portal:home") == "/"


def test_the_page_chrome_asks_path_as_it_asked_url() -> None:
    source = "{% load paths %}{% path 'portal:guide' %}|{% path 'workbench:messages' as m %}{{ m }}"
    assert Template(source).render(Context()) == f"{reverse('portal:guide')}|{reverse('workbench:messages')}"
    with pytest.raises(NoReverseMatch):
        path_of("portal:no_such_page")
