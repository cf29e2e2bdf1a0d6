from django.urls import path

from homefront.notify import views

app_name = "notify"

urlpatterns = [
    path("notifications/", views.channels, name="channels"),
    path("notifications/channels/<int:pk>/test/", views.send_test, name="send_test"),
    path("notifications/channels/<int:pk>/delete/", views.delete_channel, name="delete_channel"),
    path("notifications/log/", views.delivery_log, name="log"),
]
