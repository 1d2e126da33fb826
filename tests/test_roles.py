"""catalogue.roles and admin safety: groups, publish permission, delete, staff login, login throttling."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from catalogue import models as m
from catalogue.roles import CURATORS, EDITORS, can_publish, sync_groups
from tests import factories as f
from tests.factories import PASSWORD


def codenames(group_name):
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


def test_groups_hold_the_workflow_permissions(db):
    curators, editors = codenames(CURATORS), codenames(EDITORS)
    assert {"add_treaty", "change_treaty", "view_treaty", "change_scan"} <= curators
    assert {"add_treaty", "change_treaty", "publish_treaty", "publish_protocol"} <= editors
    assert "publish_treaty" not in curators
    assert not any(name.startswith("delete_") for name in curators | editors)


def test_sync_removes_delete_and_publish_granted_by_hand(db):
    from django.contrib.auth.models import Permission

    curators = Group.objects.get(name=CURATORS)
    curators.permissions.add(*Permission.objects.filter(codename__in=["delete_treaty", "publish_treaty"]))
    sync_groups()
    assert not {"delete_treaty", "publish_treaty"} & codenames(CURATORS)


def test_can_publish(curator, db):
    editor = f.UserFactory(username="editor", is_staff=True, groups=[EDITORS])
    assert can_publish(editor, m.Treaty) and can_publish(editor, m.Protocol)
    assert not can_publish(curator, m.Treaty)
    editor.is_active = False
    assert not can_publish(editor, m.Treaty)


def test_only_superusers_delete(curator_client, client, superuser, db):
    treaty = f.TreatyFactory()
    url = reverse("admin:catalogue_treaty_delete", args=[treaty.pk])
    assert curator_client.post(url, {"post": "yes"}).status_code == 403
    assert m.Treaty.objects.filter(pk=treaty.pk).exists()

    admin_client = Client()
    admin_client.force_login(superuser)
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not m.Treaty.objects.filter(pk=treaty.pk).exists()


@pytest.mark.parametrize(
    "url_name, args",
    [
        ("admin:index", []),
        ("admin:catalogue_treaty_changelist", []),
        ("admin:catalogue_treaty_add", []),
        ("admin:catalogue_treaty_recover_list", []),
        ("admin:catalogue_scan_changelist", []),
    ],
)
def test_admin_pages_need_staff_login(client, db, url_name, args):
    url = reverse(url_name, args=args)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))

    client.force_login(f.UserFactory(username="member-of-public", is_staff=False))
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_admin_change_and_history_pages_need_staff_login(client, db):
    treaty = f.TreatyFactory()
    for url in (
        reverse("admin:catalogue_treaty_change", args=[treaty.pk]),
        reverse("admin:catalogue_treaty_history", args=[treaty.pk]),
        reverse("admin:catalogue_treaty_history_compare", args=[treaty.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login")), url


def login(client, username, password):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR="203.0.113.7",
    )


def test_login_is_throttled_after_five_wrong_passwords(client, curator, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for attempt in range(5):
        response = login(client, "curator", "wrong password")
        # The login form again with its error; the fifth failure already locks (429).
        assert response.status_code == (200 if attempt < 4 else 429)
        assert "_auth_user_id" not in client.session

    response = login(client, "curator", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302  # still not logged in


def test_right_password_logs_in_before_the_limit(client, curator):
    for _attempt in range(4):
        login(client, "curator", "wrong password")
    response = login(client, "curator", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(curator.pk)
