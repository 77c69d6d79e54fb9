"""长辈版 (ADR 0030, docs/accessibility.md): the portal in large text, high contrast and one
column for older people, switched from every portal page's header and remembered.

- A cookie for everybody (`yiwang_mode`, a year, host-only, HttpOnly, SameSite=Lax, Secure
  like the session cookie). It holds only `elder` or `standard`.
- For a logged-in person also their account (`User.portal_mode`), so the choice follows them
  to another device. While logged in, the account's choice (once made) wins over the cookie;
  logged out, the device's cookie decides. At login, a choice made in the same browser
  session just before becomes the account's; an older cookie only while the account has
  no choice of its own (a shared device must not overwrite it).
- The switch is a POST form (a real button, works without JavaScript, CSRF-checked): it
  writes an account, so a GET link (prefetched, crawled) must not do it. It returns only to a
  local path of this site; anything else goes to the home page (no open redirect).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yiwang.accounts import services as accounts
from yiwang.accounts.models import PortalMode, User

MODE_COOKIE = "yiwang_mode"
MODE_COOKIE_SECONDS = 365 * 24 * 3600
MAX_NEXT = 2000
# Pages that are not the public portal keep their own look whatever the choice.
NOT_PORTAL = ("workbench", "admin", "api")
# Pages with a form a person fills in: switching reloads the page, so the switch asks first
# (site.js `data-confirm`; the application form also keeps typed text, keep-form.js).
FORM_PAGES = {
    "portal:apply",
    "portal:apply_draft",
    "portal:bundle_apply",
    "portal:bundle_draft",
    "portal:case_supplement",
    "portal:rate_link",
    "portal:license_share",
}


HINT_ATTRIBUTE = "portal_mode_hint"
CHOSEN_KEY = "portal_mode_chosen"  # session: the switch used before logging in


def current_mode(request: HttpRequest) -> str:
    """The mode this request is shown in: the account's choice when logged in and made, else
    the device's cookie, else a page's hint (`show_as_chosen_by`), else the standard portal."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "portal_mode", ""):
        return str(user.portal_mode)
    cookie = request.COOKIES.get(MODE_COOKIE, "")
    if cookie in PortalMode.values:
        return cookie
    hint = getattr(request, HINT_ATTRIBUTE, "")
    return hint if hint in PortalMode.values else PortalMode.STANDARD


def show_as_chosen_by(request: HttpRequest, person: User | None) -> None:
    """A page opened without login by a link sent to one person (the rating link of an SMS or
    e-mail notice) is shown in the mode that person chose on their account, unless the device
    has its own choice."""
    if person is not None and person.portal_mode:
        setattr(request, HINT_ATTRIBUTE, person.portal_mode)


def is_portal_page(request: HttpRequest) -> bool:
    """Whether the request is a page of the public portal (the portal, login, error pages) and
    not of the workbench, the back office or the API docs."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return not any(space in NOT_PORTAL for space in match.namespaces) and not match.view_name.startswith("api")
    first = request.path.strip("/").split("/", 1)[0]
    return first not in NOT_PORTAL


def adopt_device_choice(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """`user_logged_in`: the switch used in this browser session before logging in is the
    person's latest choice and becomes the account's; otherwise the device's cookie becomes
    the account's only if the account has never had a choice (a shared device's old cookie
    never overwrites an account's own choice)."""
    if request is None or not isinstance(user, User):
        return
    session = getattr(request, "session", None)
    chosen = session.pop(CHOSEN_KEY, "") if session is not None else ""
    if chosen in PortalMode.values:
        accounts.portal_mode_set(actor=user, mode=chosen)
        return
    cookie = request.COOKIES.get(MODE_COOKIE, "")
    if not user.portal_mode and cookie in PortalMode.values:
        accounts.portal_mode_set(actor=user, mode=cookie)


def safe_next(request: HttpRequest, candidate: str) -> str:
    """`candidate` when it is a path on this site (not `//host`, not another scheme or host),
    else the home page."""
    home = reverse("portal:home")
    if not candidate or len(candidate) > MAX_NEXT or not candidate.startswith("/") or candidate.startswith("//"):
        return home
    if "\\" in candidate or any(ord(ch) < 32 for ch in candidate):
        return home
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return home
    return candidate


@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """The header's 长辈版/标准版 button: set the cookie (and the account's choice when logged
    in), then back to the page the person was on."""
    mode = request.POST.get("mode", "")
    target = safe_next(request, request.POST.get("next", ""))
    response = HttpResponseRedirect(target)
    response.status_code = 303  # See Other: the browser GETs the page again
    if mode not in PortalMode.values:
        return response
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        accounts.portal_mode_set(actor=user, mode=mode)
    else:
        request.session[CHOSEN_KEY] = mode  # taken over by the account at the next login
    response.set_cookie(
        MODE_COOKIE,
        mode,
        max_age=MODE_COOKIE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def display(request: HttpRequest) -> dict[str, object]:
    """Context processor: whether this page is a portal page in 长辈版, for base.html (the
    class on <html>, the header's switch and the page to come back to)."""
    portal = is_portal_page(request)
    match = getattr(request, "resolver_match", None)
    return {
        "PORTAL_PAGE": portal,
        "MODE_CONFIRM": match is not None and match.view_name in FORM_PAGES,
        "ELDER_MODE": portal and current_mode(request) == PortalMode.ELDER,
        "MODE_NEXT": request.get_full_path()[:MAX_NEXT],
    }
