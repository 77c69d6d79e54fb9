from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "yiwang.supervision"
    verbose_name = "电子监察与考评"

    def ready(self) -> None:
        # Every case event keeps the roll-ups current (cases.hooks), in the event's transaction.
        from yiwang.cases.hooks import register_event_observer
        from yiwang.supervision import rules
        from yiwang.supervision.rollup import observe

        register_event_observer(observe)
        # Monitoring rules watch the same events (rules.observe; docs/supervision.md).
        register_event_observer(rules.observe)
