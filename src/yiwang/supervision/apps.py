from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "yiwang.supervision"
    verbose_name = "电子监察与考评"

    def ready(self) -> None:
        # Every case and rating event keeps the roll-ups current, in the event's transaction.
        from yiwang.cases.hooks import register_event_observer
        from yiwang.ledger.audit import register_audit_extension
        from yiwang.ratings.hooks import register_rating_observer
        from yiwang.supervision import audit, rollup, rules, satisfaction

        register_event_observer(rollup.observe)
        # Monitoring rules watch the same events (rules.observe; docs/supervision.md).
        register_event_observer(rules.observe)
        register_rating_observer(satisfaction.observe)
        # `yiwang ledger audit` also checks the figures derived from the log (ADR 0020).
        register_audit_extension(audit.extension)
