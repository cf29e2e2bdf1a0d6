from django.urls import path

from homefront.debrief import views

app_name = "debrief"

urlpatterns = [
    path("trips/<int:pk>/debrief/", views.debrief_page, name="trip"),
    path("insights/", views.insights, name="insights"),
    path("insights/children/<int:pk>/likes/", views.add_food_like, name="add_food_like"),
    path("insights/goals/", views.set_goal, name="set_goal"),
    path("insights/goals/<int:pk>/drop/", views.drop_goal, name="drop_goal"),
]
