from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "homefront.journal"
    label = "journal"
