from django.urls import path, re_path

from appeals import views

app_name = "appeals"

STATUS_KEY = r"(?P<token>[A-Za-z0-9_-]{20,64})"

urlpatterns = [
    # Public (P22, P23, N6, N7): no sign-in.
    path("appeal/", views.appeal_new, name="appeal-new"),
    path("challenge/", views.challenge_new, name="challenge-new"),
    re_path(rf"^filed/{STATUS_KEY}/$", views.filed, name="filed"),
    re_path(rf"^status/{STATUS_KEY}/$", views.status, name="status"),
    # Staff.
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/<str:kind>/new/", views.staff_new, name="staff-new"),
    path(
        "staff/appeal/<int:pk>/",
        views.staff_filing,
        {"kind": "appeal"},
        name="staff-appeal",
    ),
    path(
        "staff/challenge/<int:pk>/",
        views.staff_filing,
        {"kind": "challenge"},
        name="staff-legalitychallenge",
    ),
    path("staff/<str:kind>/<int:pk>/letter/", views.staff_letter, name="staff-letter"),
    # Letters to residents answered by mail (P22, P23).
    path("staff/letters/", views.mail_queue, name="letters"),
    path("staff/letters/<int:pk>/", views.letter_print, name="letter-print"),
]
