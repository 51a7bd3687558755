"""The account registry (P4, P5, P7, P13, P15) and the rules that identify an
account: its URL on the platform's host, naming its handle, not already listed."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from accounts.models.city import CityProfile, Department, Platform
from core import clock
from core.models import CleanerConstraintMessagesMixin, TimeStampedModel


def normalise_handle(handle: str) -> str:
    """Return ``handle`` without spaces or a leading ``@``, in lower case."""
    return handle.strip().lstrip("@").strip().lower()


def normalise_url(url: str) -> str:
    """Return a comparable form of an account URL.

    ``http``/``https``, a leading ``www.``/``m.``, letter case, a trailing slash,
    the query's order and a fragment do not make two accounts different.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in ("www.", "m.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    path = parts.path.rstrip("/").lower()
    query = "&".join(sorted(q for q in parts.query.lower().split("&") if q))
    return f"{host}{path}" + (f"?{query}" if query else "")


def handle_matches_url(handle: str, url: str) -> bool:
    """Return True when ``handle`` names the account ``url`` points at.

    The handle must be one of the URL's path segments (``/@name``, ``/name``,
    ``/company/name``) or a query value (``profile.php?id=123``).
    """
    wanted = normalise_handle(handle)
    if not wanted:
        return False
    parts = urlsplit(url.strip())
    candidates = [seg.lstrip("@").lower() for seg in parts.path.split("/") if seg]
    candidates += [
        value.lower()
        for pair in parts.query.split("&")
        for _key, _sep, value in [pair.partition("=")]
        if value
    ]
    return wanted in candidates


def validate_account_identity(
    *,
    platform: Platform | None,
    handle: str,
    url: str,
    exclude_account_id: int | None = None,
) -> dict[str, str]:
    """Return field errors for a proposed account's platform, handle and URL.

    Used by the registry and by account requests, so both say the same thing:
    the URL must be on the platform's own host (P9), name the handle, and not
    already be on the registry (unique per platform, case-insensitive).
    """
    errors: dict[str, str] = {}
    if platform is None or not url:
        return errors
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors["url"] = "Enter the account's full web address, starting with https://."
        return errors
    try:
        port = parts.port
    except ValueError:  # not a number, or past 65535
        port = -1
    if port is not None:
        # P9: an account's address is the platform's own, which names no port;
        # one typed in (":99999") is a slip, and would be on the registry as is.
        errors["url"] = (
            "Leave the port out of the address (the part after the host's "
            "colon): an account's address on a platform has none."
        )
        return errors
    if not platform.matches_url(url):
        errors["url"] = (
            f"This address is not on {platform.name}: its host "
            f"'{parts.hostname}' is not one of {', '.join(platform.host_list())}."
        )
        return errors
    if not parts.path.strip("/") and not parts.query:
        errors["url"] = (
            f"This is {platform.name}'s home page, not an account: enter the "
            "account's own address."
        )
        return errors
    if handle and not handle_matches_url(handle, url):
        errors["handle"] = (
            f"The handle '{handle.strip()}' does not appear in the address "
            f"{url.strip()}: check both for a typing mistake."
        )
    others = Account.objects.filter(platform=platform)
    if exclude_account_id is not None:
        others = others.exclude(pk=exclude_account_id)
    wanted_url = normalise_url(url)
    wanted_handle = normalise_handle(handle)
    for other_id, other_url, other_handle in others.values_list("pk", "url", "handle"):
        if normalise_url(other_url) == wanted_url:
            errors["url"] = (
                f"This {platform.name} account is already on the registry "
                f"(account #{other_id})."
            )
        elif wanted_handle and normalise_handle(other_handle) == wanted_handle:
            errors["handle"] = (
                f"The {platform.name} handle '{other_handle}' is already on the "
                f"registry (account #{other_id})."
            )
    return errors


class AccountQuerySet(models.QuerySet["Account"]):
    def in_service(self) -> AccountQuerySet:
        """Accounts not shut down: the ones counted against the P12 cap."""
        return self.exclude(status=Account.Status.SHUT_DOWN)

    def non_compliant(self) -> AccountQuerySet:
        """In-service accounts missing a P5/P13/P15 checklist item."""
        return self.in_service().filter(
            models.Q(marked_as_city_at__isnull=True)
            | models.Q(website_linked_at__isnull=True)
            | models.Q(notice_linked_at__isnull=True)
        )

    def compliant(self) -> AccountQuerySet:
        return self.filter(
            marked_as_city_at__isnull=False,
            website_linked_at__isnull=False,
            notice_linked_at__isnull=False,
        )


class Account(CleanerConstraintMessagesMixin, TimeStampedModel):
    """A city social media account on the registry (P7).

    ``status`` moves active -> suspended -> active, and active/suspended -> shut
    down (P4: the city may shut an account down at any time), only through
    ``accounts.services``; every change records who, when and why.
    """

    class Kind(models.TextChoices):
        CITY = "city", "City account"
        COUNCILMEMBER = "councilmember", "Councilmember account"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        SHUT_DOWN = "shut_down", "Shut down"

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="accounts"
    )
    handle = models.CharField(
        max_length=100,
        help_text="The account's name on the platform, e.g. @cityofexample.",
    )
    display_name = models.CharField(max_length=150)
    url = models.URLField("public URL", max_length=500)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Short name for the account's public notice URL (P15).",
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="accounts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CITY)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    status_changed_at = models.DateTimeField(default=clock.now)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status_reason = models.TextField(blank=True)
    comments_enabled = models.BooleanField(default=True)
    # P5/P13/P15 checklist: each item records who verified it and when.
    marked_as_city_at = models.DateTimeField(null=True, blank=True)
    marked_as_city_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    website_linked_at = models.DateTimeField(null=True, blank=True)
    website_linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notice_linked_at = models.DateTimeField(null=True, blank=True)
    notice_linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Deliveries from the platform (Meta's webhook) name the account by
    # this id; they are matched to the registry through it.
    platform_account_id = models.CharField(
        "id on the platform",
        max_length=100,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z_.:-]+$",
                "Enter the id exactly as the platform shows it: letters, digits, "
                "dots, dashes, colons or underscores, without spaces.",
            )
        ],
        help_text=(
            "The account's own id on the platform: a Facebook Page id, or an "
            "Instagram professional account id (e.g. 100000000000001). Deliveries "
            "from the platform are matched to this account by it. Leave empty if "
            "the product does not capture from this account."
        ),
    )
    uses_shared_login = models.BooleanField(
        "managers share one platform sign-in",
        default=False,
        help_text=(
            "The platform gives no individual administrator roles, so managers share "
            "one sign-in (kept in the city's password manager, never here). When a "
            "manager leaves, its credentials must be rotated."
        ),
    )

    CHECKLIST = ("marked_as_city", "website_linked", "notice_linked")
    # What ``accounts.services.account_update`` changes, and its form edits: not
    # the status (P4) or the checklist (P5, P13, P15), which have their own steps.
    UPDATABLE_FIELDS = (
        "handle",
        "display_name",
        "url",
        "slug",
        "department",
        "comments_enabled",
        "uses_shared_login",
        # The id the platform's deliveries name the account by (platforms app).
        "platform_account_id",
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["platform__name", "handle"]
        permissions = [
            ("change_account_status", "Can suspend, reactivate or shut down (P4)"),
            ("verify_account_checklist", "Can verify the P5/P13/P15 checklist"),
            (
                "view_every_account",
                "Can see every account's records (oversight, P3, R2)",
            ),
            (
                "manage_every_account",
                "Can act for every account as its managers do (P11)",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("url"), "platform", name="account_url_unique_per_platform"
            ),
            models.UniqueConstraint(
                Lower("handle"), "platform", name="account_handle_unique_per_platform"
            ),
            models.UniqueConstraint(
                fields=["platform", "platform_account_id"],
                condition=~models.Q(platform_account_id=""),
                name="account_platform_account_id_unique",
                violation_error_message=(
                    "Another account on this platform already has this id."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handle} ({self.platform})"

    def get_absolute_url(self) -> str:
        return reverse("admin:accounts_account_change", args=[self.pk])

    # Checked by clean() with a message naming the field and the existing account.
    constraints_checked_by_clean = frozenset(
        {"account_url_unique_per_platform", "account_handle_unique_per_platform"}
    )

    def clean(self) -> None:
        errors = {}
        platform = Platform.objects.filter(pk=self.platform_id).first()
        if platform is not None and not platform.active and self._state.adding:
            errors["platform"] = f"{platform.name} is no longer in use by the city."
        errors.update(
            validate_account_identity(
                platform=platform,
                handle=self.handle,
                url=self.url,
                exclude_account_id=self.pk,
            )
        )
        if self.kind == self.Kind.COUNCILMEMBER:
            profile = CityProfile.objects.first()
            if profile is None or not profile.councilmember_accounts_covered:
                # P6: councilmember accounts are covered only if the city opts in.
                errors["kind"] = (
                    "The city profile does not bring councilmember accounts under "
                    "the policy (P6), so one cannot be registered."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def missing_checklist(self) -> list[str]:
        """Return the labels of the P5/P13/P15 items not yet verified."""
        labels = {
            "marked_as_city": "marked as the city's (P5, P13)",
            "website_linked": "linked to the official website (P5, P13)",
            "notice_linked": "links to the public notice (P15)",
        }
        return [
            label for item, label in labels.items() if not getattr(self, f"{item}_at")
        ]

    @property
    def is_compliant(self) -> bool:
        """P5, P13, P15: marked as the city's, linked to the website, notice linked."""
        return bool(
            self.marked_as_city_at and self.website_linked_at and self.notice_linked_at
        )
