from django.urls import path

from homefront.handoff import views

app_name = "handoff"

urlpatterns = [
    path("trips/<int:pk>/brief/", views.brief_page, name="brief"),
    path("trips/<int:pk>/brief.pdf", views.brief_pdf, name="brief_pdf"),
    path("trips/<int:pk>/brief/fridge/", views.fridge_sheet, name="fridge"),
    path("trips/<int:pk>/share/", views.share_links, name="share_links"),
    path("share/<int:pk>/revoke/", views.revoke_share_link, name="revoke_share_link"),
    path("s/<str:token>/", views.shared_brief, name="shared_brief"),
    path("s/<str:token>/brief.pdf", views.shared_brief_pdf, name="shared_brief_pdf"),
    path("ready/", views.readiness_page, name="readiness"),
    path("ready/leave-now/", views.leave_now, name="leave_now"),
    path("ready/children/<int:pk>/confirm/", views.confirm_health, name="confirm_health"),
    path("ready/go-bag/<int:pk>/", views.toggle_go_bag, name="toggle_go_bag"),
    path("ready/card-printed/", views.card_printed, name="card_printed"),
    path("emergency-card/", views.emergency_card, name="emergency_card"),
    path("emergency-card.pdf", views.emergency_card_pdf, name="emergency_card_pdf"),
]
