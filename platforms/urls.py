from django.urls import path

from platforms import views

app_name = "platforms"

urlpatterns = [
    path("meta/webhook/", views.meta_webhook, name="meta-webhook"),
    path("connections/", views.connection_list, name="connections"),
    path("connections/<str:pk>/", views.connection_detail, name="connection"),
    path(
        "connections/<str:pk>/mastodon/",
        views.connection_mastodon,
        name="connection-mastodon",
    ),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("deliveries/<str:pk>/retry/", views.delivery_retry, name="delivery-retry"),
    path("drafts/", views.draft_list, name="drafts"),
    path("drafts/<str:pk>/", views.draft_detail, name="draft"),
    path("drafts/<str:pk>/complete/", views.draft_complete, name="draft-complete"),
    path("drafts/<str:pk>/dismiss/", views.draft_dismiss, name="draft-dismiss"),
    path("comments/<str:pk>/", views.comment_detail, name="comment"),
]
