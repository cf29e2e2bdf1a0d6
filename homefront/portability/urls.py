from django.urls import path

from homefront.portability import views

app_name = "portability"

urlpatterns = [
    path("household/export/", views.export, name="export"),
]
