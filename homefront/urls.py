from django.urls import include
from django.urls import path

from homefront.api.api import api

urlpatterns = [
    path("", include("homefront.core.urls")),
    path("", include("homefront.households.urls")),
    path("", include("homefront.trips.urls")),
    path("", include("homefront.prep.urls")),
    path("", include("homefront.handoff.urls")),
    path("", include("homefront.journal.urls")),
    path("", include("homefront.photos.urls")),
    path("", include("homefront.debrief.urls")),
    path("", include("homefront.notify.urls")),
    path("", include("homefront.portability.urls")),
    path("account/", include("homefront.accounts.urls")),
    path("api/", include("homefront.api.urls")),
    path("api/v1/", api.urls),
]
