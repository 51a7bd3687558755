"""Settings for ``bench/public_form.py`` only: production settings, plus a URLconf
that adds three baseline views, and rate limits raised so the load generator (one
address) is measured rather than refused. The limit is still checked on every
request, so its cost is part of the figures. Never used by the product.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.public_form_urls"
APPEALS_SUBMIT_RATE = "100000000/m"
APPEALS_STATUS_RATE = "100000000/m"
