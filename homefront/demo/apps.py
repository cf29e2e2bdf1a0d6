from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "homefront.demo"
    label = "demo"
