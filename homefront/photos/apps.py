from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "homefront.photos"
    label = "photos"
