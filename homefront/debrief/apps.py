from django.apps import AppConfig


class DebriefConfig(AppConfig):
    name = "homefront.debrief"
    label = "debrief"
