"""Comment removals against the eight categories of the policy (P20, P21)."""

from django.db import models


class RemovalCategory(models.Model):
    """One of the eight reasons for which a public comment may be removed (P21).

    The eight rows are created by a data migration and cannot be added, deleted or
    renamed through the product; a city may add a local explanation.
    """

    number = models.PositiveSmallIntegerField(unique=True)
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    explanation = models.TextField(
        help_text="Plain-language explanation for residents."
    )
    local_explanation = models.TextField(
        blank=True, help_text="Optional extra explanation the city adds."
    )

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "removal categories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=8),
                name="removalcategory_number_1_to_8",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"
