from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("removals/new/", views.removal_new, name="removal-new"),
    path("removals/<int:pk>/", views.removal_detail, name="removal-detail"),
    path("removals/<int:pk>/notify/", views.removal_notify, name="removal-notify"),
    path("removals/<int:pk>/amend/", views.removal_amend, name="removal-amend"),
    path(
        "removals/<int:pk>/evidence/",
        views.removal_evidence_add,
        name="removal-evidence-add",
    ),
    path(
        "removals/<int:pk>/evidence/<int:evidence_pk>/",
        views.removal_evidence_download,
        name="removal-evidence",
    ),
    path("removals/<int:pk>/restore/", views.removal_restore, name="removal-restore"),
    path(
        "removals/<int:pk>/restoration/done/",
        views.restoration_complete,
        name="restoration-complete",
    ),
]
