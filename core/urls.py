from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("staff/", views.staff_dashboard, name="dashboard"),
]
