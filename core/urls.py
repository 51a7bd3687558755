from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("staff/", views.staff_dashboard, name="dashboard"),
    path("staff/emails/", views.email_list, name="email-list"),
    path("staff/emails/<str:pk>/", views.email_detail, name="email-detail"),
    path(
        "staff/emails/<str:pk>/try-again/",
        views.outbox_retry,
        name="outbox-retry",
    ),
]
