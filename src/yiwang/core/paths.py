"""Page addresses without a full `reverse()` each time they are shown.

`reverse()` walks the URL resolver and checks its result against the route's pattern: ≈ 20 µs
a call. A list page asked it once per row (1 ms for the 50 rows of the workbench's inbox) and
every page's header, footer and side navigation asked it for the same 20 fixed addresses.

- `path_with(name, value)`: a route with one `<str:…>` part, reversed once per request
  (core.request_memo) around a marker, each value put in its place and quoted as `reverse()`
  quotes it. A value that part refuses (empty, or with a "/") goes to `reverse()`, which
  refuses it as before.
- `path_of(name)`: a route without arguments, reversed once per process for each URLconf and
  script prefix (ADR 0007: the invariant is that a process's URL patterns do not change
  while it runs; an address says nothing about who asks for it). The page templates ask it as
  `{% path 'portal:home' %}` (core.templatetags.paths).
"""

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

from yiwang.core.request_memo import memoized

MARK = "yiwang-path-value"  # unreserved characters: `reverse()` leaves them as they are
SAFE = RFC3986_SUBDELIMS + "/~:@"  # what `reverse()` does not quote


def path_with(name: str, value: object) -> str:
    """`reverse(name, args=[value])` for a route whose one argument is a `<str:…>` part."""
    text = str(value)
    if not text or "/" in text:
        return reverse(name, args=[value])
    head, tail = memoized(("path_with", name), lambda: _around(name))
    return f"{head}{quote(text, safe=SAFE)}{tail}"


def _around(name: str) -> tuple[str, str]:
    head, tail = reverse(name, args=[MARK]).split(MARK)
    return head, tail


def path_of(name: str) -> str:
    """`reverse(name)` for a route without arguments."""
    return _path_of(name, get_urlconf(settings.ROOT_URLCONF), get_script_prefix())


@lru_cache(maxsize=256)
def _path_of(name: str, urlconf: str, script_prefix: str) -> str:
    return reverse(name, urlconf=urlconf)  # under the script prefix of the key: this request's
