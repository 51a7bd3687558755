"""Demo data for the accounts app: the city, its departments, staff and accounts."""

import os
from typing import Any

from django.contrib.auth.models import Group

from accounts import services
from accounts.models import (
    Account,
    AccountRequest,
    CityProfile,
    Department,
    ManagerAccess,
    Platform,
    User,
)
from core import roles

CITY_HALL = "Lakeside City Hall\n100 Main Street\nLakeside, MN 55000"

DEMO_USERS = [
    ("clerk", "Casey", "Lindqvist", roles.CITY_ADMINISTRATOR, "City Clerk"),
    (
        "manager",
        "Morgan",
        "Haugen",
        roles.SOCIAL_MEDIA_MANAGER,
        "Communications Specialist",
    ),
    ("parks", "Pat", "Nguyen", roles.SOCIAL_MEDIA_MANAGER, "Parks Program Coordinator"),
    ("records", "Riley", "Olson", roles.RECORDS_OFFICER, "Records Manager"),
    ("attorney", "Avery", "Johnson", roles.CITY_ATTORNEY, "City Attorney"),
]

DEMO_DEPARTMENTS = {
    "clerk": "Administration",
    "manager": "Communications",
    "parks": "Parks and Recreation",
    "records": "Administration",
    "attorney": "Administration",
}

DEMO_ACCOUNTS = [
    # platform slug, handle, display name, url, slug, department
    (
        "facebook",
        "cityoflakeside",
        "City of Lakeside",
        "https://www.facebook.com/cityoflakeside",
        "facebook",
        "Communications",
    ),
    (
        "instagram",
        "lakesidemn",
        "Lakeside, Minnesota",
        "https://www.instagram.com/lakesidemn/",
        "instagram",
        "Communications",
    ),
    (
        "x",
        "LakesideMN",
        "City of Lakeside",
        "https://x.com/LakesideMN",
        "x",
        "Communications",
    ),
    (
        "facebook",
        "lakesideparks",
        "Lakeside Parks & Recreation",
        "https://www.facebook.com/lakesideparks",
        "parks-facebook",
        "Parks and Recreation",
    ),
    (
        "nextdoor",
        "city-of-lakeside",
        "City of Lakeside",
        "https://nextdoor.com/agency-detail/mn/lakeside/city-of-lakeside/",
        "nextdoor",
        "Communications",
    ),
]


def seed(ctx: dict[str, Any]) -> None:
    password = os.environ.get("DEMO_PASSWORD", "lakeside-demo-2026")
    ctx["password"] = password
    CityProfile.objects.get_or_create(
        singleton=True,
        defaults={
            "city_name": "Lakeside",
            "official_website": "https://www.lakeside.example.gov",
            "approving_authority": "City Administrator",
            "scope_contact": "Communications Director",
            "sensitive_info_contact": "City Clerk",
            "appeal_contact": "City Clerk",
            "appeal_email": "clerk@lakeside.example.gov",
            "appeal_postal_address": f"City Clerk\n{CITY_HALL}",
            "legality_contact": "City Administrator",
            "legality_email": "administrator@lakeside.example.gov",
            "legality_postal_address": f"City Administrator\n{CITY_HALL}",
            "general_contact": "Communications Director",
            "general_email": "info@lakeside.example.gov",
            "general_phone": "(555) 010-0100",
            "max_active_accounts": 8,
        },
    )
    departments = {
        name: Department.objects.get_or_create(name=name)[0]
        for name in (
            "Administration",
            "Communications",
            "Parks and Recreation",
            "Public Safety",
            "Public Works",
        )
    }
    users = {}
    for username, first, last, role, title in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@lakeside.example.gov",
                "is_staff": True,
                "job_title": title,
                "department": departments[DEMO_DEPARTMENTS[username]],
            },
        )
        if created or not user.check_password(password):
            # Demo only: the printed password (DEMO_PASSWORD) always works.
            user.set_password(password)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
        ctx["logins"].append((username, role))
    ctx["users"] = users
    clerk = users["clerk"]
    accounts = {}
    for platform_slug, handle, display, url, slug, dept in DEMO_ACCOUNTS:
        account = Account.objects.filter(slug=slug).first()
        if account is None:
            account = services.account_register(
                by=clerk,
                platform=Platform.objects.get(slug=platform_slug),
                handle=handle,
                display_name=display,
                url=url,
                department=departments[dept],
                slug=slug,
                city_controlled_confirmed=True,
                uses_shared_login=platform_slug == "nextdoor",
                reason="Existing account, listed when the registry was set up (P7).",
            )
        # P5, P13, P15: the Nextdoor page does not link the public notice yet, so
        # the dashboard shows it as non-compliant.
        items = [
            item
            for item in Account.CHECKLIST
            if getattr(account, f"{item}_at") is None
            and not (slug == "nextdoor" and item == "notice_linked")
        ]
        if items:
            services.account_checklist_verify(account=account, by=clerk, items=items)
            account.refresh_from_db()
        accounts[slug] = account
    ctx["accounts"] = accounts
    grants = [("manager", s) for s in ("facebook", "instagram", "x", "nextdoor")]
    grants.append(("parks", "parks-facebook"))
    for username, slug in grants:
        if (
            not ManagerAccess.objects.current()
            .filter(manager=users[username], account=accounts[slug])
            .exists()
        ):
            services.access_grant(
                account=accounts[slug],
                manager=users[username],
                by=clerk,
                platform_mfa_confirmed=True,
            )
    # P12: a request waiting for the City Administrator's decision.
    if not AccountRequest.objects.filter(proposed_handle="lakesideparks").exists():
        services.account_request_create(
            by=users["parks"],
            submit=True,
            department=departments["Parks and Recreation"],
            platform=Platform.objects.get(slug="instagram"),
            kind=Account.Kind.CITY,
            proposed_handle="lakesideparks",
            proposed_url="https://www.instagram.com/lakesideparks/",
            display_name="Lakeside Parks & Recreation",
            purpose="Photos of park programs, trail conditions and event reminders.",
            audience="Families and young adults who use the parks and follow "
            "Instagram more than Facebook.",
            proposed_managers="Pat Nguyen (Parks Program Coordinator); Morgan Haugen "
            "covers when Pat is away.",
            upkeep_plan="Three posts a week in season, one a week in winter; comments "
            "checked every working day.",
            city_controlled_confirmed=True,
        )
