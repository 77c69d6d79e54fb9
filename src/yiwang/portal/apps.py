from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "yiwang.portal"
    verbose_name = "门户"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from yiwang.portal.display import adopt_device_choice

        user_logged_in.connect(adopt_device_choice, dispatch_uid="portal-adopt-display-mode")
