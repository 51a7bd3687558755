"""Create the eight removal categories of P21, in our own plain words."""

from django.db import migrations

CATEGORIES = [
    (
        1,
        "obscene",
        "Obscene or pornographic content",
        "Sexual pictures, videos or words that are obscene or pornographic.",
    ),
    (
        2,
        "threats",
        "Direct threats to people or property",
        "A statement that someone will hurt a person or damage property.",
    ),
    (
        3,
        "intellectual-property",
        "Claimed violation of someone's intellectual property",
        "Material that someone says copies their work, trademark or other "
        "intellectual property without permission.",
    ),
    (
        4,
        "private-information",
        "Someone's private information posted without consent",
        "Personal details about a person, such as a home address, phone number or "
        "medical details, shared without that person's permission.",
    ),
    (
        5,
        "public-safety",
        "Information that puts a public safety system at risk",
        "Details that could help someone defeat or get around a security system "
        "that protects the public.",
    ),
    (
        6,
        "nonpublic-data",
        "Data that the law makes private or confidential",
        "Information that a state or federal law says is private, confidential or "
        "not public.",
    ),
    (
        7,
        "spam",
        "Commercial promotions or spam",
        "Advertising, sales pitches, or repeated posts that are not part of the "
        "conversation.",
    ),
    (
        8,
        "links-to-removable",
        "Links to any of the material above",
        "A link to a page, picture or file that falls into one of the seven "
        "categories above.",
    ),
]


def seed(apps, schema_editor):
    RemovalCategory = apps.get_model("moderation", "RemovalCategory")
    for number, code, name, explanation in CATEGORIES:
        RemovalCategory.objects.update_or_create(
            number=number,
            defaults={"code": code, "name": name, "explanation": explanation},
        )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
