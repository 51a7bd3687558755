from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("messages/", views.message_list, name="messages"),
    path(
        "messages/mark-read/", views.message_mark_read_bulk, name="messages-mark-read"
    ),
    path(
        "messages/mark-unread/",
        views.message_mark_unread_bulk,
        name="messages-mark-unread",
    ),
    path("messages/<int:pk>/", views.message_detail, name="message-detail"),
    path("follow-ups/", views.follow_up_list, name="follow-ups"),
    path("holds/", views.hold_list, name="holds"),
    path("holds/<int:pk>/release/", views.hold_release, name="hold-release"),
    path("disasters/", views.disaster_list, name="disasters"),
    path("disasters/<int:pk>/end/", views.disaster_end, name="disaster-end"),
    path("purge/", views.purge_page, name="purge"),
    path("purge/run/", views.purge_run_confirm, name="purge-run"),
    path("purge/records/", views.purge_records, name="purge-records"),
    path("destruction-log.csv", views.destruction_log_csv, name="destruction-log-csv"),
]
