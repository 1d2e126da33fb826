"""The curator groups and their permissions.

Curators add, change and view every catalogue record; nobody but a superuser
deletes (the admin refuses delete to everyone else, and the groups hold no
delete permission). Kept in sync by a data migration and after every migrate,
so that models added later get their permissions too.
"""

CURATORS = "Curators"

GROUP_ACTIONS = {
    CURATORS: ("add", "change", "view"),
}


def sync_groups(apps=None, verbosity=0):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    app_config = apps.get_app_config("catalogue")
    # Permissions are normally created after migrate; make sure they exist now.
    if getattr(app_config, "models_module", None) is None:
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=verbosity)
        app_config.models_module = None
    else:
        create_permissions(app_config, apps=apps, verbosity=verbosity)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, actions in GROUP_ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        codenames = [
            f"{action}_{model._meta.model_name}"
            for model in app_config.get_models()
            for action in actions
            if not model._meta.model_name.startswith("historical")
        ]
        perms = Permission.objects.filter(content_type__app_label="catalogue", codename__in=codenames)
        group.permissions.add(*perms)
        # No group may delete: remove any delete permission granted by hand.
        group.permissions.remove(*group.permissions.filter(codename__startswith="delete_"))
