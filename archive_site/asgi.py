"""ASGI entry point. Production servers set DJANGO_SETTINGS_MODULE=archive_site.settings.prod."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings.prod")

application = get_asgi_application()
