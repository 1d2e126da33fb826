"""Cross-record date rules shown as form errors on the fields concerned, inlines included.

The rules live in the models' clean(); these tests check that the admin runs them
against the parent as it is on the page (catalogue.forms.ParentAwareInlineFormSet),
on the add page (parent not saved yet) as on the change page (parent just edited).
"""

import pytest
from django.urls import reverse

from catalogue import models as m
from tests import factories as f
from tests.admin_forms import form_data

ADD = "admin:catalogue_treaty_add"


@pytest.fixture
def add_data(curator_client):
    kind = f.TreatyKindFactory()
    data = form_data(curator_client.get(reverse(ADD)), "treaty_form")
    data.update(title="Treaty of Berlin", slug="treaty-of-berlin", kind=str(kind.pk), signed="1926-04-24")
    return data


def inline_errors(response, prefix):
    formset = next(fs.formset for fs in response.context["inline_admin_formsets"] if fs.formset.prefix == prefix)
    return [form.errors for form in formset.forms]


def add_inline(data, prefix, **fields):
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    return data


def test_date_order_error_on_the_treaty_field(curator_client, add_data):
    add_data["ratifications_exchanged"] = "1926-04-01"
    response = curator_client.post(reverse(ADD), add_data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["ratifications_exchanged"] == [
        "Ratifications exchanged: this date is before the date of signature (Signed)."
    ]
    assert not m.Treaty.objects.exists()


def test_protocol_before_its_new_treaty_is_an_inline_field_error(curator_client, add_data):
    add_inline(add_data, "protocols", title="Protocol", slug="protocol", kind="additional", signed="1925-01-01")
    add_data["protocols-0-status"] = "draft"

    response = curator_client.post(reverse(ADD), add_data)

    assert response.status_code == 200
    [errors] = inline_errors(response, "protocols")
    assert "a protocol cannot be signed before its treaty (signed 24 April 1926)" in errors["signed"][0]
    assert "a protocol cannot be signed before its treaty" in response.content.decode()
    assert not m.Treaty.objects.exists() and not m.Protocol.objects.exists()


def test_registration_before_signature_is_an_inline_field_error(curator_client, add_data):
    series = f.TreatySeriesFactory()
    add_inline(add_data, "registrations", series=str(series.pk), registered="1926-01-05")

    response = curator_client.post(reverse(ADD), add_data)

    [errors] = inline_errors(response, "registrations")
    assert errors["registered"] == ["Registered: this date is before the instrument was signed (24 April 1926)."]
    assert not m.Registration.objects.exists()


def test_participation_ratified_before_the_treaty_was_signed(curator_client, add_data):
    state = f.StateFactory()
    add_inline(add_data, "participations", state=str(state.pk), role="party", position="0", ratified="1925")

    response = curator_client.post(reverse(ADD), add_data)

    [errors] = inline_errors(response, "participations")
    assert "Ratified: this date is before the treaty was signed (24 April 1926)." in errors["ratified"]


def test_a_sound_new_treaty_with_inlines_is_saved(curator_client, add_data):
    germany, ussr = f.StateFactory(name="Germany"), f.StateFactory(name="Soviet Union")
    series, source = f.TreatySeriesFactory(), f.SourceFactory()
    add_inline(add_data, "participations", state=str(germany.pk), role="party", position="0")
    add_inline(add_data, "participations", state=str(ussr.pk), role="party", position="1")
    add_inline(add_data, "registrations", series=str(series.pk), registered="1926-08-03", number="1342")
    add_inline(add_data, "citations", source=str(source.pk), fact="signed", locator="p. 42", position="0")
    add_inline(add_data, "protocols", title="Protocol", slug="protocol", kind="prolongation", signed="1931-06-24")
    add_data["protocols-0-status"] = "draft"

    response = curator_client.post(reverse(ADD), add_data)

    assert response.status_code == 302, [inline_errors(response, p) for p in ("citations", "registrations")]
    treaty = m.Treaty.objects.get(slug="treaty-of-berlin")
    assert treaty.participations.count() == 2
    assert treaty.registrations.get().number == "1342"
    assert treaty.citations.get().locator == "p. 42"
    assert treaty.protocols.get().treaty_id == treaty.pk


def test_the_parent_is_validated_as_edited_on_the_same_page(curator_client):
    treaty = f.TreatyFactory(signed="1926-04-24", status="draft")
    f.ProtocolFactory(treaty=treaty, signed="1931-06-24", status="draft")
    url = reverse("admin:catalogue_treaty_change", args=[treaty.pk])
    data = form_data(curator_client.get(url), "treaty_form")
    data["signed"] = "1932-01-01"  # the existing protocol would now precede its treaty

    response = curator_client.post(url, data)

    assert response.status_code == 200
    [errors] = inline_errors(response, "protocols")
    assert "signed 1 January 1932" in errors["signed"][0]
    treaty.refresh_from_db()
    assert treaty.signed == "1926-04-24"


def test_protocol_admin_shows_the_rule_on_its_own_form(curator_client):
    treaty = f.TreatyFactory(signed="1926-04-24")
    data = form_data(curator_client.get(reverse("admin:catalogue_protocol_add")), "protocol_form")
    data.update(treaty=str(treaty.pk), title="P", slug="p", kind="additional", signed="1920", status="draft")
    response = curator_client.post(reverse("admin:catalogue_protocol_add"), data)
    assert "a protocol cannot be signed before its treaty" in response.context["adminform"].form.errors["signed"][0]


def test_retired_slug_is_a_form_error_not_a_500(db):
    """A curator who picks another treaty's retired slug gets a form error on the slug."""
    from catalogue.forms import PublishableAdminForm
    from catalogue.models import OldSlug
    from tests.factories import TreatyFactory

    owner = TreatyFactory(slug="new-address")
    OldSlug.objects.create(slug="old-address", treaty=owner)
    other = TreatyFactory(slug="another-treaty")
    form_class = type(
        "F", (PublishableAdminForm,), {"Meta": type("Meta", (), {"model": type(other), "fields": ["slug"]})}
    )
    form = form_class(data={"slug": "old-address"}, instance=other)
    assert not form.is_valid()
    assert "reserved" in form.errors["slug"][0]
    form = form_class(data={"slug": "free-address"}, instance=other)
    assert form.is_valid(), form.errors
