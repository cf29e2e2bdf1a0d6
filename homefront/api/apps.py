from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "homefront.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        from homefront.api.api import api
        from homefront.api.photos import router as photos

        api.add_router("", photos)
