"""``manage.py load_demo``: loads the demo catalogue once; run again, it changes nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from catalogue import models as m

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_app_config("catalogue").get_models()
        if not model.__name__.startswith("Historical")
    }


def test_loads_the_demo_into_an_empty_catalogue():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert m.Treaty.objects.filter(slug="treaty-of-berlin-1926").exists()
    assert f"{m.Treaty.objects.count()} treaties" in out.getvalue()


def test_says_how_many_treaties_the_public_sees_and_that_one_is_a_draft():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert out.getvalue().strip() == (
        "Loaded the demo catalogue: 6 treaties, of which 5 are published (shown to the public) "
        "and 1 is a draft, seen only by curators: Locarno Treaties (1925)."
    )
    assert m.Treaty.objects.published().count() == 5


def test_the_readme_says_one_demo_treaty_is_a_draft():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "six treaties, five of them published" in " ".join(readme.split())


def test_loading_twice_is_a_no_op():
    call_command("load_demo", stdout=StringIO())
    before = row_counts()
    updated = dict(m.Treaty.objects.values_list("slug", "updated"))
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert row_counts() == before
    assert dict(m.Treaty.objects.values_list("slug", "updated")) == updated


def test_a_failed_load_leaves_nothing_behind(monkeypatch):
    """The load runs in one transaction: a broken fixture writes no half catalogue."""
    from catalogue.management.commands import load_demo

    monkeypatch.setattr(load_demo, "DEMO_FIXTURES", ["treaty_of_berlin", "no_such_fixture_fx"])
    with pytest.raises(Exception, match="no_such_fixture_fx"):
        call_command("load_demo", stdout=StringIO())
    assert m.Treaty.objects.count() == 0
    assert m.Source.objects.count() == 0


def test_load_demo_gives_every_record_a_first_history_version(db):
    from django.core.management import call_command

    from catalogue.models import Citation, Participation, Treaty

    call_command("load_demo", stdout=StringIO())
    for model in (Treaty, Participation, Citation):
        assert model.objects.exists()
        without = [obj.pk for obj in model.objects.all() if not obj.history.exists()]
        assert without == [], f"{model.__name__} without history: {without}"
