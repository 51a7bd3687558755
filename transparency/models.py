"""The yearly transparency report for council, frozen.

A :class:`AnnualReport` is one frozen version of a year's report: the figures as
computed when the City Administrator froze it (JSON, the public form, the
small-count rule applied) and the HTML it was published as. It never changes
(``core.immutable``, as notice versions): freezing the same year again appends a
new version, and the public page shows the newest one with the others listed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse

from core import clock, immutable

# Never changed, never deleted: not even the purge destroys a published report.
REPORT_RULE = immutable.AppendOnly()


class AnnualReport(immutable.AppendOnlyModel):
    """One frozen version of a year's transparency report."""

    year = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField()
    figures = models.JSONField(encoder=DjangoJSONEncoder)
    html = models.TextField(help_text="The report's body exactly as published.")
    frozen_at = models.DateTimeField(default=clock.now, editable=False)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    append_only = REPORT_RULE
    objects = immutable.AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-version"]
        permissions = [
            ("freeze_annualreport", "Can freeze the yearly transparency report"),
            ("view_transparency_staff", "Can see the transparency figures with names"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "version"], name="annualreport_year_version"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2999),
                name="annualreport_year_plausible",
            ),
        ]
        triggers = REPORT_RULE.triggers()

    def __str__(self) -> str:
        return f"Transparency report {self.year}, version {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("transparency:report", args=[self.year])
