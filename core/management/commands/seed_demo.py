"""Load demo data: ``manage.py seed_demo``.

Safe to run again: it only adds what is missing.

Each app that has demo data provides ``<app>/demo.py`` with ``seed(ctx)``; they run
in ``INSTALLED_APPS`` order and share ``ctx`` (a dict: users, accounts, ...).
"""

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create or complete the demo city: profile, accounts, users for each role, "
        "records."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "seed_demo creates users with a known password: it runs only with "
                "the embedded demo's settings (config.settings.local)."
            )
        ctx: dict[str, Any] = {"logins": []}
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(ctx)
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        if ctx["logins"]:
            self.stdout.write(f"Demo sign-ins (password for all: {ctx['password']}):")
            for username, role in ctx["logins"]:
                self.stdout.write(f"  {username:<12} {role}")
