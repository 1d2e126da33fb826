"""catalogue.images: what a scan upload may be, derived images, and the rebuild command."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from catalogue import images
from catalogue import models as m
from tests import factories as f
from tests.admin_forms import form_data

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def image_bytes(fmt="JPEG", size=(120, 80), color=(200, 30, 30), **save_options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save_options)
    return out.getvalue()


def jpeg_with_exif(size=(200, 100), orientation=None, gps=False) -> bytes:
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 18.0)}
    image = Image.new("RGB", size, (10, 120, 200))
    image.paste((250, 250, 0), (0, 0, size[0] // 4, size[1] // 4))
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def verify(data: bytes):
    return images.open_verified(io.BytesIO(data))


def refusal(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        verify(data)
    return error.value


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, name), root) for d, _dirs, names in os.walk(root) for name in names)


# --------------------------------------------------------------------------
# What is accepted, decided by decoding
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP"])
def test_the_four_formats_are_accepted(fmt):
    assert verify(image_bytes(fmt)).format == fmt


def test_the_name_and_declared_type_do_not_matter():
    # A PNG named .jpg is decoded as what it is.
    upload = SimpleUploadedFile("scan.jpg", image_bytes("PNG"), content_type="image/jpeg")
    assert images.open_verified(upload).format == "PNG"


def test_svg_is_refused():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    error = refusal(svg)
    assert error.code == "not_image"
    assert "not a readable image" in error.messages[0]


def test_other_image_formats_are_refused_by_name():
    error = refusal(image_bytes("GIF"))
    assert (error.code, error.messages[0]) == (
        "bad_format",
        "GIF files are not accepted: upload a JPEG, PNG, TIFF or WebP image.",
    )


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_polyglot_with_html_after_the_image_is_refused(fmt):
    error = refusal(image_bytes(fmt) + b"<html><body><script>alert(document.cookie)</script></body></html>")
    assert error.code == "polyglot"
    assert "markup or script" in error.messages[0]


def test_script_hidden_in_the_image_header_is_refused():
    error = refusal(image_bytes("JPEG", comment=b"<script>alert(1)</script>"))
    assert error.code == "polyglot"


def test_plain_bytes_after_the_end_are_refused():
    assert refusal(image_bytes("PNG") + b"PK\x03\x04 a zip archive").code == "polyglot"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_file_is_refused(fmt):
    noisy = Image.effect_noise((400, 300), 60).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, format=fmt)
    data = out.getvalue()
    error = refusal(data[: len(data) // 2])
    assert error.code == "not_image"
    assert "damaged or truncated" in error.messages[0]


@pytest.mark.parametrize("size", [(150, 100), (400, 400)], ids=["over the limit", "over twice the limit"])
def test_decompression_bomb_is_refused(settings, size):
    settings.SCAN_MAX_PIXELS = 10_000  # Pillow warns over the limit and raises over twice it: both refused
    error = refusal(image_bytes("PNG", size=size))
    assert error.code == "bomb"
    assert "too large to decode safely" in error.messages[0]


def test_pillow_limit_is_restored_after_checking(settings):
    before = Image.MAX_IMAGE_PIXELS
    settings.SCAN_MAX_PIXELS = 10_000
    refusal(image_bytes("PNG", size=(400, 400)))
    restored = Image.MAX_IMAGE_PIXELS
    assert restored == before


def test_file_over_the_size_limit_is_refused(settings):
    settings.SCAN_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    big = io.BytesIO()
    Image.effect_noise((1600, 1600), 100).convert("RGB").save(big, format="PNG")
    assert len(big.getvalue()) > settings.SCAN_MAX_UPLOAD_BYTES
    error = refusal(big.getvalue())
    assert (error.code, error.messages[0]) == ("too_large", "The file is larger than the limit of 2 MB.")


def test_default_size_limit_is_40_mb(settings):
    from archive_site.settings import base

    assert base.SCAN_MAX_UPLOAD_BYTES == 40 * 1024 * 1024


# --------------------------------------------------------------------------
# Derived images and the master
# --------------------------------------------------------------------------


def make_scan(data: bytes, name="page-1.jpg"):
    treaty = f.TreatyFactory()
    scan = m.Scan(treaty=treaty, image=SimpleUploadedFile(name, data), caption="Page 1")
    scan.save()
    return scan


def test_master_is_kept_as_uploaded_and_two_sizes_are_derived(db):
    data = jpeg_with_exif(size=(3000, 2000), gps=True)
    scan = make_scan(data)

    with scan.image.open("rb") as master:
        assert master.read() == data
    with Image.open(scan.thumbnail.path) as thumb, Image.open(scan.preview.path) as preview:
        assert thumb.size == (240, 160)
        assert preview.size == (1600, 1067)
        assert thumb.format == preview.format == "JPEG"


def test_exif_orientation_is_respected(db):
    scan = make_scan(jpeg_with_exif(size=(400, 200), orientation=6))  # stored landscape, shown portrait
    with Image.open(scan.preview.path) as preview:
        assert preview.size == (200, 400)
        assert ORIENTATION not in preview.getexif()


def test_gps_location_is_stripped_from_derived_images(db):
    data = jpeg_with_exif(gps=True)
    with Image.open(io.BytesIO(data)) as original:
        assert GPS_IFD in original.getexif()  # the test file does carry a location
    scan = make_scan(data)
    for path in (scan.thumbnail.path, scan.preview.path):
        with Image.open(path) as derived:
            assert GPS_IFD not in derived.getexif()
            assert "exif" not in derived.info


# --------------------------------------------------------------------------
# In the admin: a clear form error, nothing written
# --------------------------------------------------------------------------


def bad_file(kind):
    if kind == "svg":
        return ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    if kind == "polyglot":
        return ("page.jpg", image_bytes("JPEG") + b"<script>alert(1)</script>")
    if kind == "truncated":
        out = io.BytesIO()
        Image.effect_noise((300, 300), 50).convert("RGB").save(out, format="PNG")
        return ("page.png", out.getvalue()[:2000])
    return ("page.png", image_bytes("PNG", size=(400, 400)))


@pytest.mark.parametrize("kind", ["svg", "polyglot", "truncated", "bomb"])
def test_admin_refuses_bad_files_with_a_form_error_and_writes_nothing(curator_client, settings, media, kind):
    settings.SCAN_MAX_PIXELS = 10_000
    treaty = f.TreatyFactory()
    url = reverse("admin:catalogue_scan_add")
    data = form_data(curator_client.get(url), "scan_form")
    name, content = bad_file(kind)
    data.update(treaty=str(treaty.pk), caption="Page 1", position="0", image=SimpleUploadedFile(name, content))

    response = curator_client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["image"]
    assert errors and any(
        phrase in errors[0] for phrase in ("not a readable image", "markup or script", "too large to decode safely")
    ), errors
    assert not m.Scan.objects.exists()
    assert not os.path.exists(media) or files_under(media) == []


def test_admin_inline_refuses_a_bad_file_and_saves_nothing(curator_client, media):
    treaty = f.TreatyFactory(status="draft")
    url = reverse("admin:catalogue_treaty_change", args=[treaty.pk])
    data = form_data(curator_client.get(url), "treaty_form")
    data.update(
        {
            "scans-TOTAL_FORMS": "1",
            "scans-0-caption": "Page 1",
            "scans-0-position": "0",
            "scans-0-image": SimpleUploadedFile("page.jpg", image_bytes("JPEG") + b"<html></html>"),
            "summary": "must not be saved",
        }
    )
    response = curator_client.post(url, data)
    assert response.status_code == 200
    formset = next(fs.formset for fs in response.context["inline_admin_formsets"] if fs.formset.prefix == "scans")
    assert "markup or script" in formset.forms[0].errors["image"][0]
    treaty.refresh_from_db()
    assert treaty.summary == "" and not m.Scan.objects.exists()
    assert not os.path.exists(media) or files_under(media) == []


def test_admin_accepts_a_good_scan(curator_client, media):
    treaty = f.TreatyFactory()
    url = reverse("admin:catalogue_scan_add")
    data = form_data(curator_client.get(url), "scan_form")
    upload = jpeg_with_exif(size=(800, 600))
    data.update(treaty=str(treaty.pk), caption="Page 1", position="0", image=SimpleUploadedFile("Page 1.JPG", upload))

    response = curator_client.post(url, data)

    assert response.status_code == 302
    scan = m.Scan.objects.get()
    assert (scan.width, scan.height) == (800, 600)
    assert scan.image.name == "scans/masters/page-1.jpg"
    assert len(files_under(media)) == 3  # the master and two derived images


# --------------------------------------------------------------------------
# rebuild_scan_derivatives
# --------------------------------------------------------------------------


def test_rebuild_recreates_lost_derived_files(db, media):
    scan = make_scan(jpeg_with_exif(size=(900, 600)))
    os.remove(scan.thumbnail.path)
    os.remove(scan.preview.path)
    out = io.StringIO()

    call_command("rebuild_scan_derivatives", "--missing", stdout=out)

    scan.refresh_from_db()
    assert os.path.exists(scan.thumbnail.path) and os.path.exists(scan.preview.path)
    assert "1 scan(s)" in out.getvalue()
    assert scan.history.latest().history_change_reason.startswith("Derived images rebuilt")


def test_rebuild_missing_skips_scans_that_are_complete(db):
    make_scan(jpeg_with_exif())
    out = io.StringIO()
    call_command("rebuild_scan_derivatives", "--missing", stdout=out)
    assert "0 scan(s)" in out.getvalue()


def test_rebuild_names_unknown_ids_and_broken_masters(db):
    scan = make_scan(jpeg_with_exif())
    with pytest.raises(CommandError, match="No scan with id 999"):
        call_command("rebuild_scan_derivatives", "999")
    with open(scan.image.path, "wb") as master:
        master.write(b"not an image any more")
    with pytest.raises(CommandError, match=f"scan {scan.pk} "):
        call_command("rebuild_scan_derivatives", str(scan.pk), stdout=io.StringIO())
