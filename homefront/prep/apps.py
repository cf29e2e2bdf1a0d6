from django.apps import AppConfig


class PrepConfig(AppConfig):
    name = "homefront.prep"
    label = "prep"

    def ready(self) -> None:
        from homefront.prep import outcomes, signals  # noqa: F401  (plans prep when trips change)
