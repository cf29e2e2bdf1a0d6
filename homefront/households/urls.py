from django.urls import path

from homefront.households import member_views
from homefront.households import photo_views
from homefront.households import views

app_name = "households"

urlpatterns = [
    path("household/new/", member_views.create_household, name="create"),
    path("household/switch/", member_views.switch_household, name="switch"),
    path("household/settings/", member_views.household_settings, name="settings"),
    path("household/members/", member_views.members, name="members"),
    path("household/members/invite/", member_views.invite, name="invite"),
    path("household/members/<int:pk>/remove/", member_views.remove_member, name="remove_member"),
    path(
        "household/invitations/<int:pk>/revoke/",
        member_views.revoke_invitation,
        name="revoke_invitation",
    ),
    path("household/leave/", member_views.leave_household, name="leave"),
    path("join/<str:token>/", member_views.accept_invitation, name="accept"),
    path("profile/", views.profile, name="profile"),
    path("glance/", views.at_a_glance, name="glance"),
    path("today/", views.today, name="today"),
    path("children/new/", views.child_create, name="child_create"),
    path("children/<int:pk>/", views.child_detail, name="child"),
    path("children/<int:pk>/edit/", views.child_edit, name="child_edit"),
    path("children/<int:pk>/delete/", views.child_delete, name="child_delete"),
    path("children/<int:pk>/photo.jpg", photo_views.child_photo, name="child_photo"),
    path("children/<int:pk>/photo/", photo_views.child_photo_upload, name="child_photo_upload"),
    path(
        "children/<int:pk>/photo/remove/",
        photo_views.child_photo_remove,
        name="child_photo_remove",
    ),
    path("children/<int:child_pk>/routines/new/", views.routine_create, name="routine_create"),
    path("routines/<int:pk>/edit/", views.routine_edit, name="routine_edit"),
    path("routines/<int:pk>/delete/", views.routine_delete, name="routine_delete"),
    path("children/<int:child_pk>/foods/new/", views.food_create, name="food_create"),
    path("foods/<int:pk>/edit/", views.food_edit, name="food_edit"),
    path("foods/<int:pk>/delete/", views.food_delete, name="food_delete"),
    path("children/<int:child_pk>/medicines/new/", views.medicine_create, name="medicine_create"),
    path("medicines/<int:pk>/edit/", views.medicine_edit, name="medicine_edit"),
    path("medicines/<int:pk>/delete/", views.medicine_delete, name="medicine_delete"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/move-up/", views.contact_move_up, name="contact_move_up"),
    path("notes/new/", views.note_create, name="note_create"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("notes/<int:pk>/reveal/", views.note_reveal, name="note_reveal"),
]
