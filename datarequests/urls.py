from django.urls import path, re_path

from datarequests import views

app_name = "datarequests"

STATUS_KEY = r"(?P<token>[A-Za-z0-9_-]{20,64})"

urlpatterns = [
    # Public (P24): no sign-in.
    path("new/", views.request_new, name="request-new"),
    re_path(rf"^filed/{STATUS_KEY}/$", views.filed, name="filed"),
    re_path(rf"^status/{STATUS_KEY}/$", views.status, name="status"),
    # Staff.
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/new/", views.staff_new, name="staff-new"),
    path("staff/search/", views.staff_search, name="staff-search"),
    path("staff/<int:pk>/", views.staff_request, name="staff-request"),
    path("staff/<int:pk>/step/<slug:step>/", views.staff_step, name="staff-step"),
    path("staff/<int:pk>/pick/", views.staff_pick, name="staff-pick"),
    path("staff/package/<int:pk>/", views.staff_package, name="staff-package"),
]
