from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "homefront.notify"
    label = "notify"

    def ready(self) -> None:
        from homefront.notify import checks, due  # noqa: F401 (checks register)

        due.connect()
        due.connect_events()
