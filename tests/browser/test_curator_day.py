"""A curator's day, in headless Chromium against the live server.

A curator logs in, enters a new treaty with two parties (autocomplete), a
registration, a citation and a scan; a date out of order is explained on the
field and corrected; the draft is submitted for review. An editor publishes it;
the public page shows it. The curator corrects a date, compares the versions in
the history and reverts the correction.

Screenshots of each step are saved as test artefacts: in $BROWSER_ARTIFACTS_DIR
(CI collects it) or else in the test's temporary folder.
"""

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from catalogue import models as m
from tests import factories as f
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def artefacts(tmp_path):
    root = Path(os.environ.get("BROWSER_ARTIFACTS_DIR") or tmp_path) / "curator-day"
    root.mkdir(parents=True, exist_ok=True)
    return root


class Shots:
    def __init__(self, root):
        self.root, self.count, self.paths = root, 0, []

    def __call__(self, page, name):
        self.count += 1
        path = self.root / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.paths.append(path)


def scan_bytes() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (800, 1100), (245, 240, 225))
    image.paste((40, 40, 40), (100, 100, 700, 160))
    image.save(out, format="JPEG")
    return out.getvalue()


def log_in(page, base, username):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def choose(page, select_id, text):
    """Pick ``text`` in a Django admin autocomplete (select2) widget."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def add_row(page, group):
    page.locator(f"#{group}-group .add-row a").click()


def save_and_continue(page):
    with page.expect_navigation():
        page.click("input[name=_continue]")


def test_a_curators_day(live_server, transactional_db, browser, page, artefacts):
    base = live_server.url
    shots = Shots(artefacts)
    page.set_default_timeout(15_000)
    f.UserFactory(username="curator", is_staff=True, groups=["Curators"])
    f.UserFactory(username="editor", is_staff=True, groups=["Editors"])
    f.TreatyKindFactory(name="Treaty of neutrality", slug="neutrality-treaty")
    f.StateFactory(name="Germany", code="DEU-WEIMAR", slug="germany")
    f.StateFactory(name="Soviet Union", code="SUN", slug="soviet-union")
    series = f.TreatySeriesFactory()
    f.SourceFactory(title="Documents on German Foreign Policy", key="dgfp")

    # -- the curator enters a draft --------------------------------------
    log_in(page, base, "curator")
    page.goto(f"{base}/admin/catalogue/treaty/add/")
    page.fill("#id_title", "Treaty of Berlin")
    page.locator("#id_title").dispatch_event("change")
    assert page.input_value("#id_slug") == "treaty-of-berlin"  # filled in from the title
    choose(page, "id_kind", "neutrality")
    page.fill("#id_signed", "1926-04-24")
    page.fill("#id_change_reason", "New record from the LNTS text")
    add_row(page, "participations")
    add_row(page, "participations")
    choose(page, "id_participations-0-state", "Germany")
    choose(page, "id_participations-1-state", "Soviet")
    page.fill("#id_participations-1-position", "1")
    add_row(page, "registrations")
    page.select_option("#id_registrations-0-series", str(series.pk))
    page.fill("#id_registrations-0-registered", "1926-01-05")  # before the signature: a mistake
    page.fill("#id_registrations-0-number", "1268")
    add_row(page, "citations")
    choose(page, "id_citations-0-source", "German Foreign Policy")
    page.fill("#id_citations-0-locator", "p. 42")
    shots(page, "draft-entered")
    save_and_continue(page)

    # -- the mistake is explained on the field; the curator fixes it -------
    error = page.locator("#registrations-group .errorlist")
    assert "Registered: this date is before the instrument was signed (24 April 1926)." in error.inner_text()
    assert not m.Treaty.objects.exists()
    shots(page, "validation-error")
    page.fill("#id_registrations-0-registered", "1926-08-03")
    add_row(page, "scans")
    page.set_input_files(
        "#id_scans-0-image", files=[{"name": "page-1.jpg", "mimeType": "image/jpeg", "buffer": scan_bytes()}]
    )
    page.fill("#id_scans-0-caption", "First page of the German text")
    page.select_option("#id_status", "review")
    save_and_continue(page)
    assert page.locator(".messagelist .success").count() == 1, page.content()[:3000]
    shots(page, "submitted-for-review")

    assert list(m.Treaty.objects.values_list("slug", flat=True)) == ["treaty-of-berlin"]
    treaty = m.Treaty.objects.get(slug="treaty-of-berlin")
    assert treaty.status == "review"
    assert sorted(treaty.participations.values_list("state__name", flat=True)) == ["Germany", "Soviet Union"]
    assert treaty.registrations.get().registered == "1926-08-03"
    assert treaty.citations.get().locator == "p. 42"
    scan = treaty.scans.get()
    assert scan.thumbnail and scan.preview
    assert page.locator("#id_status option[value=published]").count() == 1  # offered, but refused if chosen

    # The public does not see it yet; the preview does.
    public = browser.new_context()
    visitor = public.new_page()
    assert visitor.goto(f"{base}/treaties/treaty-of-berlin/").status == 404
    preview = page.goto(f"{base}/admin/preview/treaties/treaty-of-berlin/")
    assert preview.status == 200 and "Treaty of Berlin" in page.content()
    shots(page, "preview")

    # -- an editor publishes ------------------------------------------------
    office = browser.new_context()
    editor = office.new_page()
    editor.set_default_timeout(15_000)
    log_in(editor, base, "editor")
    editor.goto(f"{base}/admin/catalogue/treaty/{treaty.pk}/change/")
    editor.select_option("#id_status", "published")
    editor.fill("#id_change_reason", "Checked against the LNTS")
    save_and_continue(editor)
    shots(editor, "published-by-editor")
    treaty.refresh_from_db()
    assert treaty.status == "published" and treaty.published_at is not None
    office.close()

    response = visitor.goto(f"{base}/treaties/treaty-of-berlin/")
    assert response.status == 200
    assert "Treaty of Berlin" in visitor.content() and "Soviet Union" in visitor.content()
    shots(visitor, "public-page")

    # -- the curator corrects a date, then reverts the correction ------------
    page.goto(f"{base}/admin/catalogue/treaty/{treaty.pk}/change/")
    page.fill("#id_signed", "1926-04-25")
    page.fill("#id_change_reason", "Date per the German text")
    save_and_continue(page)
    treaty.refresh_from_db()
    assert treaty.signed == "1926-04-25"

    page.goto(f"{base}/admin/catalogue/treaty/{treaty.pk}/history/")
    assert "Date per the German text" in page.locator("#change-history").inner_text()
    shots(page, "history")
    with page.expect_navigation():
        page.click("#compare-versions button[type=submit]")
    diff = page.locator("#version-diff")
    assert "1926-04-24" in diff.locator("tr[data-field=signed] .old").inner_text()
    assert "1926-04-25" in diff.locator("tr[data-field=signed] .new").inner_text()
    shots(page, "compare")
    with page.expect_navigation():
        page.click("#revert-older")
    assert page.input_value("#id_signed") == "1926-04-24"
    with page.expect_navigation():
        page.locator("input[name=_save]").first.click()
    shots(page, "reverted")

    treaty.refresh_from_db()
    assert treaty.signed == "1926-04-24"
    assert treaty.status == "published"
    latest = treaty.history.latest()
    assert latest.history_user.username == "curator"
    assert latest.history_change_reason.startswith("Reverted to the version of")
    assert "24 April 1926" in visitor.goto(f"{base}/treaties/treaty-of-berlin/").text()
    public.close()

    assert len(shots.paths) == 9
    assert all(path.stat().st_size > 1000 for path in shots.paths)
