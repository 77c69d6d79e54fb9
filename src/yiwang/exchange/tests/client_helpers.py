"""An API client of 市场监管 (a regulator's system) registered through the services, and
tokens from the real token endpoint."""

import base64

from django.test import Client

from yiwang.exchange.clients import Registered, client_register
from yiwang.exchange.tests.helpers import approval_steward, department, market_steward

TOKEN_URL = "/api/v1/oauth/token"


ALL_SCOPES = ("exchange.read", "exchange.subscribe")


def regulator(scopes: tuple[str, ...] = ALL_SCOPES, name: str = "食品安全监管系统") -> Registered:
    """市场监管's system (the regulator subscribing to decisions)."""
    return client_register(actor=market_steward(), department=department("market"), name=name, scopes=scopes)


def approval_system(scopes: tuple[str, ...] = ALL_SCOPES) -> Registered:
    """行政审批服务局's own approval system (the consumer of the enterprise register)."""
    return client_register(
        actor=approval_steward(), department=department("approval"), name="审批业务系统", scopes=scopes
    )


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token(registered: Registered, scope: str = "") -> str:
    answer = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials", **({"scope": scope} if scope else {})},
        HTTP_AUTHORIZATION=basic(registered.client_id, registered.client_secret),
    )
    assert answer.status_code == 200, answer.content
    return str(answer.json()["access_token"])


def bearer(access_token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {access_token}"}
