from django.urls import path

from homefront.photos import views

app_name = "photos"

urlpatterns = [
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("trips/<int:pk>/photos/add/", views.add, name="add"),
    path("s/<str:token>/photos/<int:pk>/", views.shared_photo, name="shared_photo"),
    path("s/<str:token>/photos/add/", views.shared_add, name="shared_add"),
]
