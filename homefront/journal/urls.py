from django.urls import path

from homefront.journal import timeline_views
from homefront.journal import views

app_name = "journal"

urlpatterns = [
    path("trips/<int:pk>/journal/", timeline_views.timeline, name="timeline"),
    path("trips/<int:pk>/journal/log/", views.quick_log, name="log"),
    path("trips/<int:pk>/journal/sync/", views.sync, name="sync"),
    path("trips/<int:pk>/journal/deleted/", timeline_views.deleted_entries, name="deleted"),
    path("trips/<int:pk>/journal/manifest.webmanifest", views.manifest, name="manifest"),
    path("journal/entries/<int:pk>/edit/", timeline_views.edit_entry, name="edit_entry"),
    path("journal/entries/<int:pk>/delete/", timeline_views.delete_entry, name="delete_entry"),
    path("journal/entries/<int:pk>/restore/", timeline_views.restore_entry, name="restore_entry"),
    path("s/<str:token>/log/", views.shared_quick_log, name="shared_log"),
    path("s/<str:token>/journal/sync/", views.shared_sync, name="shared_sync"),
    path("s/<str:token>/manifest.webmanifest", views.shared_manifest, name="shared_manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
]
