from django.urls import include, path

urlpatterns = [
    path("", include("homefront.core.urls")),
    path("", include("homefront.households.urls")),
    path("", include("homefront.trips.urls")),
    path("", include("homefront.prep.urls")),
    path("", include("homefront.handoff.urls")),
    path("", include("homefront.journal.urls")),
    path("", include("homefront.debrief.urls")),
    path("", include("homefront.notify.urls")),
    path("account/", include("homefront.accounts.urls")),
]
