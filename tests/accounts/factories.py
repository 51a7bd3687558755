from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.contrib.auth.models import Group

from accounts.models import (
    Account,
    CityProfile,
    Department,
    ManagerAccess,
    Platform,
    User,
)
from core import clock


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@city.example.gov")
    is_staff = True
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if create and extracted:
            for role in extracted:
                self.groups.add(Group.objects.get(name=role))


class CityProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityProfile
        django_get_or_create = ("singleton",)

    singleton = True
    city_name = "Maple Falls"
    official_website = "https://www.maplefalls.example.gov"
    approving_authority = "City Administrator"
    scope_contact = "Communications Director"
    sensitive_info_contact = "City Clerk"
    appeal_contact = "City Clerk"
    appeal_email = "clerk@maplefalls.example.gov"
    appeal_postal_address = "City Clerk, 1 Main St, Maple Falls, MN 55001"
    legality_contact = "City Administrator"
    legality_email = "admin@maplefalls.example.gov"
    legality_postal_address = "City Administrator, 1 Main St, Maple Falls, MN 55001"
    general_contact = "Communications Director"
    general_email = "info@maplefalls.example.gov"
    max_active_accounts = 5


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


def platform(slug: str = "facebook") -> Platform:
    """Return a platform seeded by the migration."""
    return Platform.objects.get(slug=slug)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    platform = factory.LazyFunction(platform)
    handle = factory.Sequence(lambda n: f"cityaccount{n}")
    display_name = factory.LazyAttribute(lambda a: f"City {a.handle}")
    url = factory.LazyAttribute(
        lambda a: f"https://www.{a.platform.host_list()[0]}/{a.handle}"
    )
    slug = factory.Sequence(lambda n: f"account-{n}")
    department = factory.SubFactory(DepartmentFactory)


class CompliantAccountFactory(AccountFactory):
    marked_as_city_at = factory.LazyFunction(clock.now)
    website_linked_at = factory.LazyFunction(clock.now)
    notice_linked_at = factory.LazyFunction(clock.now)


class ManagerAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManagerAccess

    account = factory.SubFactory(AccountFactory)
    manager = factory.SubFactory(UserFactory)
    granted_by = factory.SubFactory(UserFactory)
    policy_acknowledged_at = factory.LazyFunction(clock.now)
    platform_mfa_confirmed = True
    review_due_on = factory.LazyFunction(lambda: clock.today() + timedelta(days=180))
