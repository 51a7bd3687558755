from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    # P7: the public list of the city's official accounts.
    path("", views.public_list, name="public-list"),
    # P12, P14: requests for new accounts (staff).
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_create, name="request-create"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request-edit"),
    path("requests/<int:pk>/submit/", views.request_submit, name="request-submit"),
    path(
        "requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"
    ),
    path("requests/<int:pk>/approve/", views.request_approve, name="request-approve"),
    path("requests/<int:pk>/deny/", views.request_deny, name="request-deny"),
    # P3: offboarding a manager.
    path("offboarding/", views.offboarding_list, name="offboarding-list"),
    path("offboarding/<int:pk>/", views.offboarding_detail, name="offboarding-detail"),
    path(
        "offboarding/<int:pk>/steps/<int:step>/done/",
        views.offboarding_step_complete,
        name="offboarding-step-complete",
    ),
    path(
        "offboarding/<int:pk>/hand-over/<slug:provider>/<str:item>/",
        views.offboarding_hand_over,
        name="offboarding-hand-over",
    ),
    # P16-P18: incidents (misuse, disclosure of private data) and their follow-up.
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/close/", views.incident_close, name="incident-close"),
]
