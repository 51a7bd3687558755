from django.contrib import admin
from django.urls import include, path

from core.views import healthz

admin.site.site_url = "/staff/"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Staff sign-in with a second factor: /signin/, /signin/setup/, /signout/ ...
    path("", include("core.signin")),
    path("accounts/", include("accounts.urls")),
    path("moderation/", include("moderation.urls")),
    path("appeals/", include("appeals.urls")),
    path("retention/", include("retention.urls")),
    path("platforms/", include("platforms.urls")),
    path("requests/", include("datarequests.urls")),
    path("transparency/", include("transparency.urls")),
    path("", include("notices.urls")),
    path("", include("core.urls")),
]
