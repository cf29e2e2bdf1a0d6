from django.apps import AppConfig


class PrepConfig(AppConfig):
    name = "homefront.prep"
    label = "prep"

    def ready(self) -> None:
        from homefront.prep import outcomes  # noqa: F401  (plans prep when trips change)
        from homefront.prep import signals  # noqa: F401  (plans prep when trips change)
