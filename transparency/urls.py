from django.urls import path

from transparency import views

app_name = "transparency"

urlpatterns = [
    path("", views.index, name="index"),
    path("data.json", views.data_json, name="data-json"),
    path("data.csv", views.data_csv, name="data-csv"),
    path("staff/", views.staff, name="staff"),
    path("staff/freeze/", views.freeze, name="freeze"),
    path("<int:year>/", views.report, name="report"),
    path("<int:year>/figures.json", views.report_json, name="report-json"),
]
