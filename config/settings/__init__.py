"""Settings modules: ``base`` (shared), ``local`` (the embedded demo), ``production``
and ``test``. Choose one with ``DJANGO_SETTINGS_MODULE``; see ``base``."""
