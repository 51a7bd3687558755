from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.selectors import city_profile_get


def city(request: HttpRequest) -> dict[str, Any]:
    """Put the city's name (from its profile) in every template."""
    profile = city_profile_get()
    return {
        "city_name": profile.city_name if profile else settings.CITY_NAME_FALLBACK,
        "city_profile": profile,
    }
