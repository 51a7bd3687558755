"""The project's URLs plus one view that fails, to see what a visitor is shown."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("SECRET_KEY=do-not-show database password hunter2")


urlpatterns = [path("boom/", boom), *project_urlpatterns]
