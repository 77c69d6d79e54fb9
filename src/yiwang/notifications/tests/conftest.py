import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def recording(settings):  # type: ignore[no-untyped-def]
    """Route every channel to a recorder and return the list of what was sent."""
    from yiwang.notifications.tests.plugins import RecordingChannel

    RecordingChannel.sent = []
    path = "yiwang.notifications.tests.plugins.RecordingChannel"
    settings.NOTIFICATION_CHANNELS = {"in_app": path, "email": path, "sms": path}
    return RecordingChannel.sent
