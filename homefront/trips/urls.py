from django.urls import path

from homefront.trips import import_views
from homefront.trips import views

app_name = "trips"

urlpatterns = [
    path("trips/", views.trip_list, name="list"),
    path("trips/history/", views.trip_history, name="history"),
    path("trips/new/", views.trip_create, name="create"),
    path("trips/new/zone/", views.zone_guess, name="zone_guess"),
    path("trips/import/", import_views.import_upload, name="import"),
    path("trips/import/<int:pk>/", import_views.import_confirm, name="import_confirm"),
    path("trips/<int:pk>/", views.trip_detail, name="detail"),
    path("trips/<int:pk>/edit/", views.trip_edit, name="edit"),
    path("trips/<int:pk>/cancel/", views.trip_cancel, name="cancel"),
    path("trips/<int:pk>/nights/<str:night>/cover/", views.set_cover, name="cover"),
    path("calendar/", views.family_calendar, name="calendar"),
    path("calendar/<int:year>/<int:month>/", views.family_calendar, name="calendar_month"),
    path("calendar/feeds/", views.feeds, name="feeds"),
    path("calendar/feeds/<int:pk>/revoke/", views.revoke_feed, name="revoke_feed"),
    path("feed/<str:token>.ics", views.calendar_feed, name="feed"),
]
