from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "homefront.handoff"
    label = "handoff"

    def ready(self) -> None:
        from homefront.handoff import signals  # noqa: F401  (seeds each household's go-bag)
