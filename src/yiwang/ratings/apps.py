from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "yiwang.ratings"
    verbose_name = "好差评"

    def ready(self) -> None:
        # The conclusion notice carries the one-time rating link (cases.hooks).
        from yiwang.cases.hooks import register_conclusion_note
        from yiwang.ratings.links import conclusion_invitation

        register_conclusion_note(conclusion_invitation)
