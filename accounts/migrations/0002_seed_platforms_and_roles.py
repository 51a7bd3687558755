"""Seed the common platforms (P9: data, not code) and the four staff role groups."""

from django.db import migrations

PLATFORMS = [
    ("Bluesky", "bluesky", "bsky.app"),
    ("Facebook", "facebook", "facebook.com, fb.com"),
    ("Flickr", "flickr", "flickr.com"),
    ("Instagram", "instagram", "instagram.com"),
    ("LinkedIn", "linkedin", "linkedin.com"),
    ("Nextdoor", "nextdoor", "nextdoor.com"),
    ("Reddit", "reddit", "reddit.com"),
    ("Threads", "threads", "threads.net, threads.com"),
    ("TikTok", "tiktok", "tiktok.com"),
    ("X (Twitter)", "x", "x.com, twitter.com"),
    ("YouTube", "youtube", "youtube.com, youtu.be"),
]

ROLES = [
    "City Administrator",
    "Social Media Manager",
    "Records Officer",
    "City Attorney",
]


def seed(apps, schema_editor):
    Platform = apps.get_model("accounts", "Platform")
    Group = apps.get_model("auth", "Group")
    for name, slug, hosts in PLATFORMS:
        Platform.objects.get_or_create(
            slug=slug, defaults={"name": name, "hosts": hosts}
        )
    for role in ROLES:
        Group.objects.get_or_create(name=role)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
