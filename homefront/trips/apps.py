from django.apps import AppConfig


class TripsConfig(AppConfig):
    name = "homefront.trips"
    label = "trips"
