"""The site's date and time formats (``FORMAT_MODULE_PATH``); see ``en/formats.py``."""
