from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.contrib.auth.models import Group

from accounts.models import (
    Account,
    AccountRequest,
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
                # post_generation passes the built User as ``self``.
                self.groups.add(Group.objects.get(name=role))  # type: ignore[attr-defined]


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
    platform_mfa_confirmed = True
    review_due_on = factory.LazyFunction(lambda: clock.today() + timedelta(days=180))


class SuspendedAccountFactory(CompliantAccountFactory):
    status = Account.Status.SUSPENDED
    status_reason = "Suspended for the test."


class ShutDownAccountFactory(CompliantAccountFactory):
    status = Account.Status.SHUT_DOWN
    status_reason = "Shut down for the test."


class AccountRequestFactory(factory.django.DjangoModelFactory):
    """A draft request (P12); see the factories below for the other states."""

    class Meta:
        model = AccountRequest

    department = factory.SubFactory(DepartmentFactory)
    platform = factory.LazyFunction(platform)
    proposed_handle = factory.Sequence(lambda n: f"newaccount{n}")
    proposed_url = factory.LazyAttribute(
        lambda r: f"https://www.{r.platform.host_list()[0]}/{r.proposed_handle}"
    )
    display_name = factory.LazyAttribute(lambda r: f"City {r.proposed_handle}")
    purpose = "Tell residents about the library's programs."
    audience = "Library users and families."
    proposed_managers = "The library's outreach coordinator."
    upkeep_plan = "Two posts a week; comments checked daily."
    city_controlled_confirmed = True
    requested_by = factory.SubFactory(UserFactory)


class SubmittedAccountRequestFactory(AccountRequestFactory):
    status = AccountRequest.Status.SUBMITTED
    submitted_at = factory.LazyFunction(clock.now)


class DeniedAccountRequestFactory(SubmittedAccountRequestFactory):
    status = AccountRequest.Status.DENIED
    decided_at = factory.LazyFunction(clock.now)
    decided_by = factory.SubFactory(UserFactory)
    decision_reason = "Not sustainable."


class WithdrawnAccountRequestFactory(AccountRequestFactory):
    status = AccountRequest.Status.WITHDRAWN
    withdrawn_at = factory.LazyFunction(clock.now)


class ApprovedAccountRequestFactory(SubmittedAccountRequestFactory):
    status = AccountRequest.Status.APPROVED
    decided_at = factory.LazyFunction(clock.now)
    decided_by = factory.SubFactory(UserFactory)
    decision_reason = "Approved."
    account = factory.SubFactory(
        CompliantAccountFactory,
        platform=factory.SelfAttribute("..platform"),
        handle=factory.SelfAttribute("..proposed_handle"),
        url=factory.SelfAttribute("..proposed_url"),
    )


class RevokedManagerAccessFactory(ManagerAccessFactory):
    revoked_at = factory.LazyFunction(clock.now)
    revoked_by = factory.SubFactory(UserFactory)
    revoke_reason = "Left the city."
