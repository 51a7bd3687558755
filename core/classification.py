"""Data Practices classification of government data (P24, Minn. Stat. ch. 13).

The Act presumes government data public unless a statute classifies it otherwise, so
every record defaults to ``PUBLIC``. Add the field to a model with
``classification = classification_field()``.
"""

from django.db import models


class DataClassification(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private (data on individuals)"
    CONFIDENTIAL = "confidential", "Confidential (data on individuals)"
    NONPUBLIC = "nonpublic", "Nonpublic (data not on individuals)"
    PROTECTED_NONPUBLIC = "protected_nonpublic", "Protected nonpublic"


def classification_field(**kwargs: object) -> models.CharField:
    """Return the classification field, defaulting to public (P24)."""
    options: dict = {
        "max_length": 20,
        "choices": DataClassification.choices,
        "default": DataClassification.PUBLIC,
        "help_text": "Data Practices Act classification (P24); public unless a "
        "statute says otherwise.",
    }
    options.update(kwargs)
    return models.CharField(**options)
