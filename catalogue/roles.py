"""The curator groups and their permissions.

Curators add, change and view every catalogue record and submit drafts for
review; Editors can do the same and also publish, send back and withdraw (the
custom permissions ``catalogue.publish_treaty`` and ``catalogue.publish_protocol``).
Nobody but a superuser deletes (the admin refuses delete to everyone else, and
the groups hold no delete permission). Kept in sync by a data migration and
after every migrate, so that models added later get their permissions too.

The publish permissions are created here rather than declared in
``Meta.permissions``: they are rows of ``auth.Permission`` either way, and this
keeps the workflow's permissions next to the groups that hold them.
"""

CURATORS = "Curators"
EDITORS = "Editors"

#: Custom permissions: (model name, codename, label).
PUBLISH_PERMISSIONS = (
    ("treaty", "publish_treaty", "Can publish, send back and withdraw treaties"),
    ("protocol", "publish_protocol", "Can publish, send back and withdraw protocols"),
)

GROUP_ACTIONS = {
    CURATORS: ("add", "change", "view"),
    EDITORS: ("add", "change", "view"),
}

#: Extra permissions per group, beyond GROUP_ACTIONS.
GROUP_EXTRA_PERMISSIONS = {
    CURATORS: (),
    EDITORS: tuple(codename for _model, codename, _label in PUBLISH_PERMISSIONS),
}


def publish_permission(model) -> str:
    """The permission (``app_label.codename``) needed to publish records of ``model``."""
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def can_publish(user, model) -> bool:
    return bool(user and user.is_active and user.has_perm(publish_permission(model)))


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
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model_name, codename, label in PUBLISH_PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label="catalogue", model=model_name)
        Permission.objects.get_or_create(content_type=content_type, codename=codename, defaults={"name": label})

    for group_name, actions in GROUP_ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        codenames = [
            f"{action}_{model._meta.model_name}"
            for model in app_config.get_models()
            for action in actions
            if not model._meta.model_name.startswith("historical")
        ]
        codenames += list(GROUP_EXTRA_PERMISSIONS.get(group_name, ()))
        perms = Permission.objects.filter(content_type__app_label="catalogue", codename__in=codenames)
        group.permissions.add(*perms)
        # No group may delete: remove any delete permission granted by hand.
        group.permissions.remove(*group.permissions.filter(codename__startswith="delete_"))
    # Curators never publish, even if granted by hand.
    curators = Group.objects.get(name=CURATORS)
    curators.permissions.remove(
        *curators.permissions.filter(codename__in=[codename for _m, codename, _l in PUBLISH_PERMISSIONS])
    )
