from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "homefront.api"
    label = "api"
    verbose_name = "JSON API"
