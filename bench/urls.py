from django.http import HttpRequest
from django.http import HttpResponse
from django.urls import path

from homefront.urls import urlpatterns as homefront_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    """The framework floor: the whole middleware stack, no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor", floor), *homefront_urlpatterns]
