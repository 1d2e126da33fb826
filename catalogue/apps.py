from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalogue"
    verbose_name = _("Treaty catalogue")

    def ready(self):
        # checks registers the start-up checks; lookups registers any_of; search and slugs connect their own signals
        from . import checks, lookups, search, signals, slugs  # noqa: F401
