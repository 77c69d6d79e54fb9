"""`yiwang exchange_client`: the steward registers a client and gets its secrets once."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from yiwang.exchange.client_models import ApiClient
from yiwang.exchange.tests.client_helpers import TOKEN_URL, basic
from yiwang.exchange.tests.helpers import market_steward

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("exchange_client", *args, stdout=out)
    return out.getvalue()


def test_register_prints_working_credentials_once_then_suspend(world: None) -> None:
    steward = market_steward().username
    printed = _run(
        "register", "--steward", steward, "--department", "济南市市场监督管理局", "--name", "食品安全监管系统"
    )
    values = dict(line.split(maxsplit=1) for line in printed.splitlines() if line.startswith(("client_", "webhook_")))
    answer = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(values["client_id"], values["client_secret"]),
    )
    assert answer.status_code == 200
    client = ApiClient.objects.get()
    assert client.webhook_secret == values["webhook_secret"]
    assert values["client_secret"] not in _run("list")
    _run("suspend", "--steward", steward, "--client", str(client.pk), "--reason", "测试暂停")
    assert "已暂停" in _run("list")
    with pytest.raises(CommandError, match="数据管理员"):
        _run("register", "--steward", "jn_approval_data", "--department", "济南市市场监督管理局", "--name", "x")
