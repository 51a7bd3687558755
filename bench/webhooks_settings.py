"""Settings for ``bench/webhooks.py`` only: production settings, plus a URLconf
that adds the bare signed-insert view beside the product's webhook. Never used by
the product."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.webhooks_urls"
