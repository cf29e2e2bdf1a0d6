from django.urls import path

from homefront.prep import views

app_name = "prep"

urlpatterns = [
    path("prep/today/", views.prep_today, name="today"),
    path("trips/<int:pk>/prep/", views.trip_prep, name="trip"),
    path("trips/<int:pk>/prep/new/", views.task_create, name="task_create"),
    path("prep/tasks/<int:pk>/tick/", views.tick_task, name="tick"),
    path("prep/tasks/<int:pk>/needed/", views.mark_needed, name="needed"),
    path("prep/tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("prep/tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("trips/<int:pk>/packing/", views.packing, name="packing"),
    path("trips/<int:pk>/packing/add/", views.packing_add, name="packing_add"),
    path("prep/packing/<int:pk>/toggle/", views.toggle_packed, name="toggle_packed"),
    path("prep/packing/<int:pk>/remove/", views.remove_packing_item, name="remove_packing_item"),
    path("prep/checklist/", views.template, name="template"),
    path("prep/checklist/new/", views.template_item_create, name="template_item_create"),
    path("prep/checklist/<int:pk>/edit/", views.template_item_edit, name="template_item_edit"),
    path(
        "prep/checklist/<int:pk>/delete/", views.template_item_delete, name="template_item_delete"
    ),
    path("prep/checklist/<int:pk>/optional/", views.make_optional, name="make_optional"),
]
