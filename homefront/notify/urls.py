from django.urls import path

from homefront.notify import push_views
from homefront.notify import views
from homefront.notify import webhook_views

app_name = "notify"

urlpatterns = [
    path("notifications/", views.channels, name="channels"),
    path("notifications/channels/<int:pk>/test/", views.send_test, name="send_test"),
    path("notifications/channels/<int:pk>/delete/", views.delete_channel, name="delete_channel"),
    path("notifications/log/", views.delivery_log, name="log"),
    path("notifications/devices/", push_views.subscribe, name="push_subscribe"),
    path("notifications/devices/renew/", push_views.resubscribe, name="push_resubscribe"),
    path("notifications/pushed/", push_views.save_choices, name="push_choices"),
    path("notifications/webhooks/", webhook_views.webhook_list, name="webhooks"),
]
