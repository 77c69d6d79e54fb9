"""The page links every paginated list shares (templates/_pagination.html): a labelled nav, the
current page marked, and the list's filters kept in the previous/next links."""

from django.core.paginator import Paginator
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory


def _links(path: str, page_number: int, **context: object) -> str:
    page = Paginator(range(60), 25).get_page(page_number)
    return render_to_string("_pagination.html", {"page": page, **context}, request=RequestFactory().get(path))


def test_the_links_keep_the_filters_and_change_only_the_page() -> None:
    html = _links("/w/cases/?q=%E5%BC%A0%E4%B8%89&status=accepted&page=2", 2)
    assert '<nav class="pagination" aria-label="分页">' in html
    assert '<span aria-current="page">第 2 / 3 页</span>' in html
    assert '<a href="?q=%E5%BC%A0%E4%B8%89&amp;status=accepted&amp;page=1" rel="prev">上一页</a>' in html
    assert '<a href="?q=%E5%BC%A0%E4%B8%89&amp;status=accepted&amp;page=3" rel="next">下一页</a>' in html


def test_the_first_and_last_pages_link_only_onwards_and_back() -> None:
    first, last = _links("/me/messages/", 1), _links("/me/messages/?page=3", 3)
    assert "上一页" not in first and '<a href="?page=2" rel="next">下一页</a>' in first
    assert "下一页" not in last and '<a href="?page=2" rel="prev">上一页</a>' in last


def test_a_single_page_has_no_page_links() -> None:
    page = Paginator(range(3), 25).get_page(1)
    html = render_to_string("_pagination.html", {"page": page}, request=RequestFactory().get("/?q=x"))
    assert html.strip() == ""


def test_a_list_may_name_the_parameters_its_links_keep() -> None:
    kept = QueryDict("q=%E9%A4%90%E9%A5%AE&region=370100&page=1")  # the region came from the session
    html = _links("/guide/?q=%E9%A4%90%E9%A5%AE", 1, page_query=kept)
    assert '<a href="?q=%E9%A4%90%E9%A5%AE&amp;region=370100&amp;page=2" rel="next">下一页</a>' in html


def test_a_typed_parameter_cannot_break_out_of_the_link() -> None:
    html = _links('/me/data-reads/?since="><script>x</script>', 1)
    assert "<script>" not in html
    assert 'href="?since=%22%3E%3Cscript%3Ex%3C%2Fscript%3E&amp;page=2"' in html
