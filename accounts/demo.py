"""Demo data for the accounts app: the city, its departments, staff and accounts."""

import os
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group

from accounts.models import (
    Account,
    CityProfile,
    Department,
    ManagerAccess,
    Platform,
    User,
)
from core import clock, roles

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
    now = clock.now()
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
            },
        )
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
        ctx["logins"].append((username, role))
    ctx["users"] = users
    accounts = {}
    for platform_slug, handle, display, url, slug, dept in DEMO_ACCOUNTS:
        account, _ = Account.objects.get_or_create(
            slug=slug,
            defaults={
                "platform": Platform.objects.get(slug=platform_slug),
                "handle": handle,
                "display_name": display,
                "url": url,
                "department": departments[dept],
                "status_changed_by": users["clerk"],
                "marked_as_city_at": now,
                "marked_as_city_by": users["clerk"],
                "website_linked_at": now,
                "website_linked_by": users["clerk"],
                "notice_linked_at": None if slug == "nextdoor" else now,
                "notice_linked_by": None if slug == "nextdoor" else users["clerk"],
            },
        )
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
            ManagerAccess.objects.create(
                manager=users[username],
                account=accounts[slug],
                granted_by=users["clerk"],
                policy_acknowledged_at=now - timedelta(days=30),
                platform_mfa_confirmed=True,
                review_due_on=clock.today() + timedelta(days=150),
            )
