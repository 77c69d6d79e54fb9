"""A stand-in for the province's unified identity platform (统一身份认证平台): a small OpenID
Connect provider for the demo and the tests, built on authlib's server components (the
authorization-code grant, PKCE and the OpenID Connect code flow) over the standard library's
http.server (no Django). It runs as a separate process:

    python -m yiwang.accounts.devoidc --port 8033 --users users.json [--alg RS256|ES256]

`users.json` holds `{"users": [{"username", "password", "sub", "name", "phone_number",
"id_number"}], "clients": [{"client_id", "client_secret", "redirect_uris": [...],
"post_logout_redirect_uris": [...]}]}`. The issuer is `http://<host>:<port>` unless
`--issuer` says otherwise. It serves discovery (/.well-known/openid-configuration), its
public keys (/jwks), the authorization endpoint with a login page of its own (/authorize),
the token endpoint (/token, client_secret_basic or client_secret_post), /userinfo and
RP-initiated logout (/logout, by GET or by a POSTed form; authlib's `EndSessionEndpoint`: the
`id_token_hint` must be an ID token this platform signed, expired or not, issued to the
`client_id` if one is given; only then does it send the browser to a
`post_logout_redirect_uri` registered for that client, otherwise it asks the person to
confirm — a form POSTed back with `confirm=1` — and shows its own page). PKCE (S256) and a
nonce are required of every client; a code is good once, for 60 seconds. The ID token
carries `name`, `phone_number` and the asserted 居民身份证号 as `id_number` (the platform has
verified it: it is the real-name authority).

For tests it can be told to misbehave: POST /_control with {"rogue_key": true} (sign ID
tokens with a second key under the published key id: a bad signature), {"id_token_ttl": S}
(lifetime of new ID tokens; negative = already expired), {"fail_next": N, "status": 503}
(the next N token requests answer that status; with {"html": true} an HTML page instead of
JSON, as a gateway in front of a provider may, and {"location": URL} as a Location header),
{"reset": true}. Every answer of /_control lists the subjects whose session an
RP-initiated logout with a valid hint ended (`ended_sessions`), so tests can see it.
"""

import argparse
import contextlib
import html
import json
import secrets
import signal
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from authlib.oauth2 import AuthorizationServer, OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, OAuth2Payload, grants
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.rpinitiated import EndSessionEndpoint, EndSessionRequest
from joserfc.jwk import ECKey, KeySet, RSAKey

CODE_SECONDS = 60
MAX_BODY = 16 * 1024


@dataclass
class Client(ClientMixin):  # type: ignore[misc]
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = field(default_factory=list)

    def get_client_id(self) -> str:
        return self.client_id

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"post_logout_redirect_uris": self.post_logout_redirect_uris}

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "profile", "phone", "id_number"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: dict[str, str]
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    expires_at: float

    def is_expired(self) -> bool:
        return time.time() > self.expires_at

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, values: dict[str, list[str]]) -> None:
        self._datalist = defaultdict(list, values)
        self._data = {key: items[0] for key, items in values.items() if items}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class Request(OAuth2Request):  # type: ignore[misc]
    def __init__(self, method: str, uri: str, headers: Any, query: str, body: str) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        self._args = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
        self._form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
        merged = urllib.parse.parse_qs(query)
        for key, values in urllib.parse.parse_qs(body).items():
            merged.setdefault(key, []).extend(values)
        self.payload = Payload(merged)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class Platform:
    """Users, clients, keys, codes and tokens of the stand-in identity platform."""

    def __init__(self, users_file: Path, issuer: str, alg: str) -> None:
        data = json.loads(users_file.read_text(encoding="utf-8"))
        self.users: dict[str, dict[str, str]] = {u["username"]: u for u in data.get("users", [])}
        self.clients = {c["client_id"]: Client(**c) for c in data.get("clients", [])}
        self.issuer = issuer.rstrip("/")
        self.alg = alg
        self.key = self._new_key()
        self.lock = threading.Lock()
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, tuple[dict[str, str], str, float]] = {}
        self.ended_sessions: list[str] = []
        self.reset()

    def _new_key(self, kid: str = "") -> RSAKey | ECKey:
        params: Any = {"kid": kid or secrets.token_hex(8), "use": "sig", "alg": self.alg}
        if self.alg == "ES256":
            return ECKey.generate_key("P-256", parameters=params)
        return RSAKey.generate_key(2048, parameters=params)

    def reset(self) -> None:
        self.rogue_key: RSAKey | ECKey | None = None
        self.id_token_ttl = 600
        self.fail_next, self.fail_status = 0, 503
        self.fail_html, self.fail_location = False, ""

    def control(self, order: dict[str, Any]) -> None:
        with self.lock:
            if order.get("reset"):
                self.reset()
            if order.get("rogue_key"):
                self.rogue_key = self._new_key(kid=str(self.key.kid))
            self.id_token_ttl = int(order.get("id_token_ttl", self.id_token_ttl))
            self.fail_next = int(order.get("fail_next", self.fail_next))
            self.fail_status = int(order.get("status", self.fail_status))
            self.fail_html = bool(order.get("html", self.fail_html))
            self.fail_location = str(order.get("location", self.fail_location))

    def take_failure(self) -> int:
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status
            return 0

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet([self.key]).as_dict(private=False))

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [self.alg],
            "scopes_supported": ["openid", "profile", "phone", "id_number"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "nonce",
                "name",
                "phone_number",
                "phone_number_verified",
                "id_number",
            ],
        }

    def claims_of(self, user: dict[str, str], scope: str) -> dict[str, Any]:
        claims: dict[str, Any] = {"sub": user["sub"]}
        scopes = scope.split()
        if "profile" in scopes:
            claims["name"] = user.get("name", "")
        if "phone" in scopes and user.get("phone_number"):
            claims["phone_number"] = user["phone_number"]
            claims["phone_number_verified"] = bool(user.get("phone_number_verified", True))
        if "id_number" in scopes and user.get("id_number"):
            claims["id_number"] = user["id_number"]
        return claims


def build_server(platform: Platform) -> AuthorizationServer:
    class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code: str, request: Request) -> None:
            data = request.payload.data
            with platform.lock:
                platform.codes[code] = Code(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=data.get("redirect_uri", ""),
                    scope=request.client.get_allowed_scope(data.get("scope", "")),
                    user=request.user,
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                    auth_time=int(time.time()),
                    expires_at=time.time() + CODE_SECONDS,
                )

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            with platform.lock:
                found = platform.codes.get(code)
            if found and found.client_id == client.client_id and not found.is_expired():
                return found
            return None

        def delete_authorization_code(self, authorization_code: Code) -> None:
            with platform.lock:
                platform.codes.pop(authorization_code.code, None)  # a code is good once

        def authenticate_user(self, authorization_code: Code) -> dict[str, str]:
            return authorization_code.user

    class RequiredCodeChallenge(CodeChallenge):  # type: ignore[misc]
        """PKCE for every client, confidential ones too (the platform's policy)."""

        def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
            if grant.request.payload.data.get("code_challenge_method") != "S256":
                raise InvalidRequestError("PKCE (code_challenge_method=S256) is required")
            super().validate_code_challenge(grant, redirect_uri)

    class PlatformOpenIDCode(OpenIDCode):  # type: ignore[misc]
        def exists_nonce(self, nonce: str, request: Request) -> bool:
            with platform.lock:
                return any(
                    c.nonce == nonce and c.client_id == request.payload.client_id for c in platform.codes.values()
                )

        def resolve_client_private_key(self, client: Client) -> Any:
            return platform.rogue_key or platform.key

        def get_client_algorithm(self, client: Client) -> str:
            return platform.alg

        def get_encode_header(self, client: Client) -> dict[str, str]:
            return {"alg": platform.alg, "kid": str(platform.key.kid)}

        def get_client_claims(self, client: Client) -> dict[str, Any]:
            now = int(time.time())
            return {"iss": platform.issuer, "aud": [client.client_id], "iat": now, "exp": now + platform.id_token_ttl}

        def generate_user_info(self, user: dict[str, str], scope: str) -> UserInfo:
            return UserInfo(platform.claims_of(user, scope))

    class Server(AuthorizationServer):  # type: ignore[misc]
        def query_client(self, client_id: str) -> Client | None:
            return platform.clients.get(client_id)

        def save_token(self, token: dict[str, Any], request: Request) -> None:
            with platform.lock:
                platform.tokens[token["access_token"]] = (request.user, token.get("scope", ""), time.time() + 600)

        def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
            return None

        def create_oauth2_request(self, request: Request) -> Request:
            return request

        def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> tuple[int, Any, Any]:
            return status, body, headers

    class PlatformEndSession(EndSessionEndpoint):  # type: ignore[misc]
        def get_server_jwks(self) -> KeySet:
            return KeySet([platform.key])

        def get_algorithms(self) -> list[str]:
            return [platform.alg]

        def end_session(self, end_session_request: EndSessionRequest) -> None:
            """The person leaves the platform: their access tokens end, the logout is noted."""
            claims = end_session_request.id_token_claims or {}
            with platform.lock:
                if claims.get("sub"):
                    platform.ended_sessions.append(str(claims["sub"]))
                    for token, (user, _, _) in list(platform.tokens.items()):
                        if user.get("sub") == claims["sub"]:
                            del platform.tokens[token]

    server = Server()
    server.register_endpoint(PlatformEndSession)
    server.register_token_generator("default", BearerTokenGenerator(lambda *a, **k: secrets.token_urlsafe(32)))
    server.register_grant(AuthorizationCodeGrant, [RequiredCodeChallenge(), PlatformOpenIDCode(require_nonce=True)])
    return server


PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""


def login_page(params: dict[str, str], client_id: str, error: str = "") -> bytes:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
        if k not in ("username", "password", "action")
    )
    alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    body = f"""<p>应用 <strong>{html.escape(client_id)}</strong> 请求通过统一身份认证平台确认您的身份。</p>{alert}
<form method="post" action="/authorize">{hidden}
<p><label for="username">用户名</label><br><input id="username" name="username" autocomplete="username" required></p>
<p><label for="password">密码</label><br><input id="password" name="password" type="password"
 autocomplete="current-password" required></p>
<p><button type="submit" name="action" value="login">登录并授权</button>
<button type="submit" name="action" value="deny" formnovalidate>取消</button></p></form>"""
    return PAGE.format(title="统一身份认证平台 · 登录", body=body).encode()


def handler_for(platform: Platform, server: AuthorizationServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write("devoidc: " + format % args + "\n")

        def _send(self, status: int, body: Any, headers: Any = (), content_type: str = "application/json") -> None:
            if isinstance(body, dict):
                data = json.dumps(body, ensure_ascii=False).encode()
            else:
                data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            sent = {name.lower() for name, _ in headers}
            for name, value in headers:
                self.send_header(name, value)
            if "content-type" not in sent:
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _request(self, body: str = "") -> Request:
            url = urllib.parse.urlsplit(self.path)
            return Request(self.command, platform.issuer + self.path, self.headers, url.query, body)

        def _body(self) -> str:
            length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
            return self.rfile.read(length).decode("utf-8", "replace")

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/.well-known/openid-configuration":
                return self._send(200, platform.discovery())
            if url.path == "/jwks":
                return self._send(200, platform.jwks())
            if url.path == "/authorize":
                return self._authorize(self._request(), show_page=True)
            if url.path == "/userinfo":
                return self._userinfo()
            if url.path == "/logout":
                return self._logout(self._request(), confirmed=False)
            return self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            body = self._body()
            if url.path == "/_control":
                try:
                    platform.control(json.loads(body or "{}"))
                except (ValueError, TypeError):
                    return self._send(400, {"error": "bad control order"})
                with platform.lock:
                    return self._send(200, {"ok": True, "ended_sessions": list(platform.ended_sessions)})
            if url.path == "/token":
                status = platform.take_failure()
                if status:
                    moved = [("Location", platform.fail_location)] if platform.fail_location else []
                    if platform.fail_html:
                        page = "<html><body>网关繁忙</body></html>"
                        return self._send(status, page, headers=moved, content_type="text/html")
                    return self._send(status, {"error": "temporarily_unavailable"}, headers=moved)
                return self._send(*server.create_token_response(self._request(body)))
            if url.path == "/authorize":
                return self._authorize(self._request(body), show_page=False)
            if url.path == "/logout":  # a client's POSTed logout, or the person's confirmation
                request = self._request(body)
                return self._logout(request, confirmed=request.form.get("confirm") == "1")
            return self._send(404, {"error": "not_found"})

        def _authorize(self, request: Request, show_page: bool) -> None:
            try:
                grant = server.get_consent_grant(request)
            except OAuth2Error as error:
                if error.redirect_uri:
                    return self._send(*server.handle_error_response(request, error))
                page = PAGE.format(title="请求无效", body=f"<p>{html.escape(error.description or error.error)}</p>")
                return self._send(400, page, content_type="text/html")
            params = request.payload.data
            if show_page:
                return self._send(200, login_page(params, grant.client.client_id), content_type="text/html")
            if request.form.get("action") == "deny":
                return self._send(*server.create_authorization_response(request, grant_user=None, grant=grant))
            user = platform.users.get(request.form.get("username", ""))
            password = request.form.get("password", "")
            if user is None or not secrets.compare_digest(password.encode(), user["password"].encode()):
                retry = login_page(params, grant.client.client_id, "用户名或密码不正确。")
                return self._send(200, retry, content_type="text/html")
            return self._send(*server.create_authorization_response(request, grant_user=user, grant=grant))

        def _userinfo(self) -> None:
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            with platform.lock:
                found = platform.tokens.get(token)
            if found is None or found[2] < time.time():
                return self._send(401, {"error": "invalid_token"}, [("WWW-Authenticate", "Bearer")])
            return self._send(200, platform.claims_of(found[0], found[1]))

        def _logout(self, request: Request, confirmed: bool) -> None:
            """RP-initiated logout (authlib's EndSessionEndpoint): with a valid `id_token_hint`
            the session ends and the browser goes back to the client's registered address;
            without one the person confirms here first and stays on the platform's page."""
            try:
                ending = server.validate_endpoint_request("end_session", request)
            except OAuth2Error as error:  # a hint this platform did not sign, or for another client
                body = f"<p>退出请求无效：{html.escape(error.description or error.error)}</p>"
                return self._send(400, PAGE.format(title="退出请求无效", body=body), content_type="text/html")
            if ending.needs_confirmation and not confirmed:
                kept = {k: v for k, v in request.payload.data.items() if k != "confirm"}
                hidden = "".join(
                    f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                    for k, v in {**kept, "confirm": "1"}.items()
                )
                form = f'<form method="post" action="/logout">{hidden}<button type="submit">退出</button></form>'
                page = PAGE.format(title="退出统一身份认证平台", body=f"<p>确定退出统一身份认证平台？</p>{form}")
                return self._send(200, page, content_type="text/html")
            answer = server.create_endpoint_response("end_session", ending)
            if answer is not None:
                return self._send(*answer)
            page = PAGE.format(title="已退出", body="<p>您已退出统一身份认证平台。</p>")
            return self._send(200, page, content_type="text/html")

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local stand-in for the unified identity platform (OIDC)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8033)
    parser.add_argument("--users", required=True, type=Path, help="JSON {users: [...], clients: [...]}")
    parser.add_argument("--issuer", default="", help="default http://<host>:<port>")
    parser.add_argument("--alg", choices=["RS256", "ES256"], default="RS256")
    args = parser.parse_args(argv)
    platform = Platform(args.users, args.issuer or f"http://{args.host}:{args.port}", args.alg)
    http = ThreadingHTTPServer((args.host, args.port), handler_for(platform, build_server(platform)))
    http.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=http.shutdown).start())
    print(f"devoidc: issuer {platform.issuer}, users from {args.users}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        http.serve_forever()
    http.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
