"""A researcher's path through the public catalogue, in headless Chromium against the live server.

Open the list, choose a facet and see the counts and the URL change, search,
open a detail page, follow a footnote to its citation, open a scan; and the
same by keyboard alone. Screenshots of the list and detail pages are saved as
test artefacts: in $BROWSER_ARTIFACTS_DIR (CI collects it) or else in the
test's temporary folder.

The live server does not serve uploaded media (production leaves that to the
web server), so the browser is given the scan files from MEDIA_ROOT directly.
"""

import io
import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalogue import models as m
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def artefacts(tmp_path):
    root = Path(os.environ.get("BROWSER_ARTIFACTS_DIR") or tmp_path) / "public-catalogue"
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture
def world(transactional_db):
    w = build_world()
    out = io.BytesIO()
    image = Image.new("RGB", (600, 800), (240, 234, 220))
    image.paste((60, 50, 40), (80, 80, 520, 120))
    image.save(out, format="PNG")
    w.scan = m.Scan.objects.create(
        treaty=w.berlin,
        image=SimpleUploadedFile("berlin-page-1.png", out.getvalue(), content_type="image/png"),
        caption="First page of the German original",
        alt_text="Typed first page of the Treaty of Berlin, with the title in German",
        page="p. 1",
    )
    return w


def serve_media(page, base):
    """Answer /media/ requests from MEDIA_ROOT, as the production web server would."""

    def handle(route):
        path = urlparse(route.request.url).path[len("/" + settings.MEDIA_URL.strip("/")) + 1 :]
        file = Path(settings.MEDIA_ROOT) / path
        if file.is_file():
            kind = "image/png" if file.suffix == ".png" else "image/jpeg"
            route.fulfill(status=200, body=file.read_bytes(), content_type=kind)
        else:
            route.fulfill(status=404, body="not found")

    page.route(f"{base}/{settings.MEDIA_URL.strip('/')}/**", handle)


def facet_count(page, facet, value) -> int:
    return int(page.locator(f"a[data-facet='{facet}'][data-value='{value}']").get_attribute("data-count"))


def result_count(page) -> int:
    return int(page.locator("[data-result-count]").get_attribute("data-result-count"))


def test_researcher_filters_searches_and_cites(page, live_server, world, artefacts):
    base = live_server.url
    serve_media(page, base)
    page.goto(f"{base}/treaties/")
    assert result_count(page) == 3
    assert facet_count(page, "kind", "treaty") == 2
    page.screenshot(path=str(artefacts / "01-list.png"), full_page=True)

    # Choose a facet: the URL carries it, the results and the other facets' counts follow.
    page.locator("a[data-facet='party'][data-value='SUN']").click()
    page.wait_for_url("**/treaties/?party=SUN")
    assert parse_qs(urlparse(page.url).query) == {"party": ["SUN"]}
    assert result_count(page) == 1
    assert facet_count(page, "kind", "treaty") == 1
    assert page.locator("a[data-facet='kind'][data-value='peace-treaty']").count() == 0
    # Its own facet still offers the other parties, with what each would give.
    assert facet_count(page, "party", "RSFSR") == 2
    assert page.locator("a[data-chip='party']").inner_text().startswith("Party:")
    page.screenshot(path=str(artefacts / "02-list-filtered.png"), full_page=True)

    # Remove the chip, then search.
    page.locator("a[data-chip='party']").click()
    page.wait_for_url("**/treaties/?")
    assert result_count(page) == 3
    page.fill("#id_q", "Rapallo")
    page.locator("form.list-form button[type=submit]").click()
    page.wait_for_url("**q=Rapallo**")
    slugs = page.locator("li[data-slug]").evaluate_all("els => els.map(e => e.dataset.slug)")
    assert slugs[0] == "treaty-of-rapallo-1922" and "treaty-of-berlin-1926" in slugs
    page.screenshot(path=str(artefacts / "03-search.png"), full_page=True)

    # Open the detail page and follow a footnote to its citation.
    page.locator("li[data-slug='treaty-of-berlin-1926'] h3 a").click()
    page.wait_for_url("**/treaties/treaty-of-berlin-1926/")
    assert page.locator("h1").inner_text().strip() == "Treaty of Berlin"
    assert page.locator("tr[data-registration]").count() == 2
    assert page.locator("[data-claims='prolongation'] li").count() == 2
    page.screenshot(path=str(artefacts / "04-detail.png"), full_page=True)
    marker = page.locator("[data-fact='signed'] sup.fn a").first
    number = marker.inner_text()
    marker.click()
    assert urlparse(page.url).fragment == f"fn-{number}"
    note = page.locator(f"#fn-{number}")
    assert note.is_visible() and "p. 387" in note.inner_text()
    assert page.evaluate("document.querySelector(':target').id") == f"fn-{number}"

    # A scan: the thumbnail shows, with alternative text, and opens the full image.
    thumb = page.locator("a.scan-link img")
    assert thumb.get_attribute("alt").startswith("Typed first page")
    assert page.evaluate("document.querySelector('a.scan-link img').naturalWidth") > 0
    with page.expect_response(lambda r: "/media/" in r.url and "masters" in r.url) as response:
        page.locator("a.scan-link").click()
    assert response.value.status == 200
    assert response.value.headers["content-type"] == "image/png"


def test_keyboard_alone(page, live_server, world, artefacts):
    base = live_server.url
    page.goto(f"{base}/treaties/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert urlparse(page.url).fragment == "main"
    # Tab forward from the main content until a facet value has the focus, then choose it.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.facet || ''"):
            break
    facet = page.evaluate("document.activeElement.dataset.facet")
    value = page.evaluate("document.activeElement.dataset.value")
    count = int(page.evaluate("document.activeElement.dataset.count"))
    focus_style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus_style != "none"  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{facet}={value}**")
    assert result_count(page) == count
    page.screenshot(path=str(artefacts / "05-keyboard.png"), full_page=True)


def test_narrow_screen_and_no_javascript(browser, live_server, world, artefacts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/treaties/?q=Berlin")
        assert result_count(page) == 1
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1  # nothing overflows sideways on a phone
        page.locator("a[data-facet='decade'][data-value='1920']").click()
        page.wait_for_url("**decade=1920**")
        assert result_count(page) == 1
        page.goto(f"{live_server.url}/treaties/treaty-of-berlin-1926/")
        page.screenshot(path=str(artefacts / "06-detail-phone.png"), full_page=True)
        assert page.locator("svg.timeline-svg .moment").count() > 5
    finally:
        context.close()
