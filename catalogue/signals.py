from django.db.models.signals import post_migrate, pre_save
from django.dispatch import receiver


@receiver(post_migrate)
def keep_groups_in_sync(sender, app_config=None, using="default", **kwargs):
    if app_config is not None and app_config.label == "catalogue":
        from .roles import sync_groups

        sync_groups()


@receiver(pre_save, dispatch_uid="fixtures_keep_their_history")
def fixtures_keep_their_history(sender, instance, raw=False, **kwargs):
    """``loaddata`` restores each record's history from the fixture; it must not add a version of its own.

    django-simple-history already skips the raw save, but not the many-to-many
    ``set()`` that ``loaddata`` makes right after it (its ``m2m_changed``
    handler has no ``raw``), which would add a spurious "changed" version to
    every state with predecessors and every treaty with subjects. The flag it
    honours is set on the deserialized instance only.
    """
    if raw and hasattr(sender._meta, "simple_history_manager_attribute"):
        instance.skip_history_when_saving = True
