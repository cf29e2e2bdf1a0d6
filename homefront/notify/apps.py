from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "homefront.notify"
    label = "notify"
