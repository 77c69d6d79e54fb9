"""The demo run starts the local mail server and SMS gateway only where none is configured."""

from pathlib import Path

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
