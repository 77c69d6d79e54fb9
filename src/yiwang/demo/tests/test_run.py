"""The demo run starts the local mail server and SMS gateway only where none is configured."""

from pathlib import Path

import pytest

from yiwang.demo.run import local_delivery


def test_without_configuration_the_demo_points_the_channels_at_its_own_servers(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    commands, notes = local_delivery(env, tmp_path)
    modules = [cmd[2] for cmd in commands]
    assert modules == ["yiwang.notifications.devsmtp", "yiwang.notifications.devsms"]
    assert env["EMAIL_HOST"] == "127.0.0.1" and env["EMAIL_PORT"] == commands[0][4]
    assert env["NOTIFICATION_EMAIL_CHANNEL"].endswith("EmailChannel")
    assert env["SMS_GATEWAY_URL"] == f"http://127.0.0.1:{commands[1][4]}/send"
    assert env["NOTIFICATION_SMS_CHANNEL"].endswith("HttpSmsChannel")
    assert str(tmp_path / "mail") in notes[0] and str(tmp_path / "sms.jsonl") in notes[1]


def test_a_configured_mail_server_and_gateway_are_kept(tmp_path: Path) -> None:
    env = {"EMAIL_HOST": "smtp.example.gov.cn", "SMS_GATEWAY_URL": "https://sms.example.gov.cn/send"}
    commands, notes = local_delivery(env, tmp_path)
    assert commands == [] and notes == []
    assert env == {"EMAIL_HOST": "smtp.example.gov.cn", "SMS_GATEWAY_URL": "https://sms.example.gov.cn/send"}


def test_the_demo_registry_starts_with_a_key_that_begins_with_a_dash(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """secrets.token_urlsafe sometimes begins with "-"; argparse once took such a key for an
    option and the stand-in registry did not start (a red CI run)."""
    import urllib.error
    import urllib.request

    from yiwang.core.localproc import stop
    from yiwang.demo import registry

    monkeypatch.setattr(registry.secrets, "token_urlsafe", lambda _n: "-dash-first-key")
    proc, url, key = registry.start_registry(registry.records_file(tmp_path))
    record = f"{url}/records/scjg.enterprise_register/91370102MA3C4L8K22?fields=name"
    try:
        request = urllib.request.Request(record, headers={"Authorization": f"Bearer {key}"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (127.0.0.1)
            assert answer.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(record, timeout=5)  # noqa: S310 (127.0.0.1)
        assert refused.value.code == 401
    finally:
        stop(proc)


def test_the_demo_registers_yiwang_at_its_own_identity_platform_unless_one_is_configured(tmp_path: Path) -> None:
    import json

    from yiwang.demo.run import local_identity_platform

    env: dict[str, str] = {}
    commands, notes = local_identity_platform(env, tmp_path, "127.0.0.1", 8000)
    assert commands[0][2] == "yiwang.accounts.devoidc"
    assert env["OIDC_ISSUER"] == f"http://127.0.0.1:{commands[0][4]}" and env["OIDC_CLIENT_ID"] == "yiwang-demo"
    config = json.loads((tmp_path / "oidc" / "users.json").read_text(encoding="utf-8"))
    (client,) = config["clients"]
    assert client["client_secret"] == env["OIDC_CLIENT_SECRET"]
    assert "http://127.0.0.1:8000/accounts/oidc/callback/" in client["redirect_uris"]
    assert [u["username"] for u in config["users"]] == ["zhangsan", "zhaoxin"] and "zhaoxin" in notes[0]

    configured = {"OIDC_ISSUER": "https://tyrz.example.gov.cn"}
    assert local_identity_platform(configured, tmp_path / "other", "127.0.0.1", 8000) == ([], [])
    assert configured == {"OIDC_ISSUER": "https://tyrz.example.gov.cn"}
