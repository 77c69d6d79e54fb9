"""The adapter to the unified identity platform (统一身份认证平台), an OpenID Connect provider
(ADR 0031). The relying-party protocol is authlib's (the authorization request with PKCE,
the code exchange) and joserfc's (the ID token's signature against the provider's JWKS and
its claims); this module adds what every external system here has: settings from the
environment, a time budget per call with one retry, cached discovery and keys, and failures
as `OidcFailed` with a Chinese sentence a person can act on.

    begin(redirect_uri)            -> (authorization URL, pending state to keep in the session)
    finish(pending, query, redirect_uri) -> (verified ID-token claims, the ID token itself)
    end_session_form(post_logout_redirect_uri, id_token_hint) -> the provider's logout endpoint and the
        fields to POST there (the ID token never in a URL), or None

Codes of `OidcFailed`: `not_configured`, `unavailable` (down, timeout, 5xx), `denied` (the
person cancelled at the provider), `state` (no such pending login: forged, stale or reused),
`rejected` (the provider refused the code: reused or expired), `bad_token` (signature,
issuer, audience, nonce) and `expired`.
"""

import secrets
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

ATTEMPTS = 2  # a refused connection or a 5xx is tried once more, inside the same budget
MAX_ANSWER_BYTES = 256 * 1024
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
PENDING_SECONDS = 600  # a login started at the provider must come back within this

T = TypeVar("T")

MESSAGES = {
    "not_configured": "统一身份认证登录未启用，请使用账号密码登录。",
    "unavailable": "统一身份认证平台暂时无法访问，请稍后再试，或使用账号密码登录。",
    "denied": "您在统一身份认证平台取消了登录，未登录本平台。",
    "state": "登录请求已失效或不是从本站发起的，请重新点击“统一身份认证登录”。",
    "rejected": "统一身份认证平台未接受本次登录凭证（可能已使用或已过期），请重新登录。",
    "bad_token": "统一身份认证平台返回的身份凭证未通过校验，未登录本平台。",
    "expired": "统一身份认证平台返回的身份凭证已过期，请重新登录。",
}


class OidcFailed(Exception):
    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES[code]
        super().__init__(self.message)


def enabled() -> bool:
    return bool(settings.OIDC_ENABLED)


def _check_url(url: str) -> str:
    """https, or http on a loopback address (the dev provider)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return url
    raise OidcFailed("unavailable", "统一身份认证平台的地址配置不正确（须为 https），请联系平台管理员。")


def _within_budget(call: Callable[[float], T]) -> T:
    """`call(timeout)` with one retry of a refused connection or a 5xx, all inside OIDC_TIMEOUT."""
    deadline = time.monotonic() + settings.OIDC_TIMEOUT
    for attempt in range(ATTEMPTS):
        left = deadline - time.monotonic()
        if left <= 0.05:
            break
        try:
            return call(left)
        except requests.Timeout as exc:
            raise OidcFailed("unavailable") from exc
        except (requests.ConnectionError, _ServerError) as exc:
            if attempt + 1 == ATTEMPTS:
                raise OidcFailed("unavailable") from exc
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        except requests.RequestException as exc:  # an answer cut short, a bad URL: not a 500 here
            raise OidcFailed("unavailable") from exc
    raise OidcFailed("unavailable")


class _ServerError(Exception):
    pass


def _get_json(url: str) -> dict[str, Any]:
    def once(timeout: float) -> dict[str, Any]:
        response = requests.get(_check_url(url), timeout=timeout, allow_redirects=False)
        if response.status_code >= 500:
            raise _ServerError(response.status_code)
        if response.status_code != 200 or len(response.content) > MAX_ANSWER_BYTES:
            raise OidcFailed("unavailable")
        try:
            answer = response.json()
        except ValueError as exc:
            raise OidcFailed("unavailable") from exc
        if not isinstance(answer, dict):
            raise OidcFailed("unavailable")
        return answer

    return _within_budget(once)


def discovery(*, fresh: bool = False) -> dict[str, Any]:
    """The provider's metadata (.well-known/openid-configuration), cached for
    OIDC_DISCOVERY_CACHE_SECONDS; its issuer must be the configured one."""
    if not enabled():
        raise OidcFailed("not_configured")
    key = f"oidc:discovery:{settings.OIDC_ISSUER}"
    found = None if fresh else cache.get(key)
    if found is None:
        found = _get_json(f"{settings.OIDC_ISSUER}/.well-known/openid-configuration")
        needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if found.get("issuer", "").rstrip("/") != settings.OIDC_ISSUER or not all(
            isinstance(found.get(k), str) for k in needed
        ):
            raise OidcFailed("unavailable", "统一身份认证平台的配置信息与本平台的设置不符，请联系平台管理员。")
        cache.set(key, found, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    return dict(found)


def _keys(*, fresh: bool = False) -> KeySet:
    key = f"oidc:jwks:{settings.OIDC_ISSUER}"
    found: Any = None if fresh else cache.get(key)
    if found is None:
        found = _get_json(discovery()["jwks_uri"])
        cache.set(key, found, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    try:
        return KeySet.import_key_set(found)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise OidcFailed("bad_token") from exc


def _session(redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        scope=settings.OIDC_SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name, not a secret
    )


def begin(redirect_uri: str) -> tuple[str, dict[str, Any]]:
    """The provider's authorization URL (code flow, PKCE S256, state, nonce) and what the
    callback needs to check the answer, to keep in the session until then."""
    metadata = discovery()
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(24)
    url, state = _session(redirect_uri).create_authorization_url(
        _check_url(metadata["authorization_endpoint"]), nonce=nonce, code_verifier=verifier
    )
    return url, {"state": state, "nonce": nonce, "verifier": verifier, "at": time.time()}


def finish(pending: dict[str, Any] | None, query: dict[str, str], redirect_uri: str) -> tuple[dict[str, Any], str]:
    """The verified claims of the person the provider sent back with `query`, and the ID
    token they came in (the caller keeps it only to name the session at logout).

    `pending` is what `begin` returned for the state in the query (None if there was none:
    forged, stale or already used). The code is exchanged once; the ID token must be signed
    by one of the provider's keys with an allowed algorithm, name this platform as audience,
    the configured issuer, the nonce we sent, and be within its lifetime.
    """
    if query.get("error"):
        raise OidcFailed("denied" if query["error"] == "access_denied" else "rejected")
    if not pending or not secrets.compare_digest(str(pending.get("state", "")), query.get("state", "")):
        raise OidcFailed("state")
    if time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        raise OidcFailed("state")
    code = query.get("code", "")
    if not code or len(code) > 2048:
        raise OidcFailed("rejected")
    token_endpoint = _check_url(discovery()["token_endpoint"])

    def exchange(timeout: float) -> dict[str, Any]:
        try:
            token = _session(redirect_uri).fetch_token(
                token_endpoint, code=code, code_verifier=pending["verifier"], timeout=timeout, allow_redirects=False
            )
        except OAuthError as exc:  # the provider's error answer (invalid_grant: reused or expired)
            if exc.error in ("temporarily_unavailable", "server_error"):
                raise _ServerError(exc.error) from exc
            raise OidcFailed("rejected") from exc
        except requests.HTTPError as exc:  # a 5xx, or an answer that is not a JSON object
            status = exc.response.status_code if exc.response is not None else 500
            if status >= 500:
                raise _ServerError(status) from exc
            raise OidcFailed("rejected") from exc
        except ValueError as exc:  # a 2xx/3xx that is not a JSON object (a gateway's page, a redirect)
            raise OidcFailed("unavailable") from exc
        return dict(token)

    token = _within_budget(exchange)
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise OidcFailed("bad_token")
    return verify_id_token(id_token, nonce=str(pending["nonce"])), id_token


def verify_id_token(id_token: str, *, nonce: str) -> dict[str, Any]:
    keys = _keys()
    try:
        decoded = _decode(id_token, keys)
    except _UnknownKey:
        try:
            decoded = _decode(id_token, _keys(fresh=True))  # the provider may have rotated its keys
        except _UnknownKey as exc:
            raise OidcFailed("bad_token") from exc
    registry = jwt.JWTClaimsRegistry(
        leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": settings.OIDC_ISSUER},
        aud={"essential": True, "value": settings.OIDC_CLIENT_ID},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(decoded.claims)
    except ExpiredTokenError as exc:
        raise OidcFailed("expired") from exc
    except JoseError as exc:
        raise OidcFailed("bad_token") from exc
    claims = dict(decoded.claims)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.OIDC_CLIENT_ID:
        raise OidcFailed("bad_token")
    return claims


class _UnknownKey(Exception):
    pass


def _decode(id_token: str, keys: KeySet) -> Any:
    try:
        return jwt.decode(id_token, keys, algorithms=list(settings.OIDC_SIGNING_ALGORITHMS))
    except InvalidKeyIdError as exc:
        raise _UnknownKey from exc
    except (JoseError, ValueError, TypeError) as exc:
        raise OidcFailed("bad_token") from exc


def end_session_form(post_logout_redirect_uri: str, id_token_hint: str = "") -> tuple[str, dict[str, str]] | None:
    """Where and what to POST to end the provider's session too (RP-initiated logout: the
    endpoint and the form's fields), if the provider advertises it; None when it does not, is
    off, or cannot be reached. The ID token of the session (`id_token_hint`) tells the provider
    whose session ends and that the request comes from us: without it a provider asks the
    person to confirm and does not send them back. It carries the person's 居民身份证号, phone
    and name, so it goes in a POSTed form (OpenID Connect RP-Initiated Logout 1.0 §2 lets the
    end_session_endpoint take POST), never in a URL: not in the browser history of a shared
    hall terminal, not in the access logs of the provider or a proxy in front of it."""
    if not enabled() or not settings.OIDC_PROVIDER_LOGOUT:
        return None
    try:
        endpoint = discovery().get("end_session_endpoint")
        if not isinstance(endpoint, str) or not endpoint:
            return None
        parts = urllib.parse.urlsplit(_check_url(endpoint))
        if f"{parts.scheme}://{parts.netloc}" != settings.OIDC_ORIGIN:
            return None  # the pages' form-action allows the issuer's origin only (settings)
    except OidcFailed:
        return None
    fields = {"client_id": settings.OIDC_CLIENT_ID, "post_logout_redirect_uri": post_logout_redirect_uri}
    if id_token_hint:
        fields = {"id_token_hint": id_token_hint, **fields}
    return endpoint, fields
