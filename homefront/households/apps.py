from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "homefront.households"
    label = "households"
