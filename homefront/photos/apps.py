from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "homefront.photos"
    label = "photos"

    def ready(self) -> None:
        from homefront.api.api import api
        from homefront.photos.api import router

        api.add_router("", router)
