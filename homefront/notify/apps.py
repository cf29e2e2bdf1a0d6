from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "homefront.notify"
    label = "notify"

    def ready(self) -> None:
        from homefront.notify import checks  # noqa: F401 (checks register)
        from homefront.notify import due

        due.connect()
        due.connect_events()
