from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def keep_groups_in_sync(sender, app_config=None, using="default", **kwargs):
    if app_config is not None and app_config.label == "catalogue":
        from .roles import sync_groups

        sync_groups()
