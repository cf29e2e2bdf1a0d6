from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "homefront.portability"
    verbose_name = "Export, import and backups"
