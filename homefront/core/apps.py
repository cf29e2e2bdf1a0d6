from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "homefront.core"
    label = "core"

    def ready(self) -> None:
        from homefront.core import checks  # noqa: F401  (registers the system checks)
