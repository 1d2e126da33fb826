"""Scans: safe decoding of uploads and derived images (thumbnail and preview).

The uploaded file is the master and is never altered. Derived images are
rebuilt from it: EXIF orientation applied, all metadata (including GPS
location) dropped, saved as JPEG.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

ALLOWED_FORMATS = {"JPEG", "PNG", "TIFF", "WEBP"}
THUMBNAIL_SIZE = (240, 240)
PREVIEW_SIZE = (1600, 1600)


def scan_path(instance, filename: str) -> str:
    stem, ext = os.path.splitext(os.path.basename(filename))
    return f"scans/masters/{slugify(stem)[:80] or 'scan'}{ext.lower()[:6]}"


def _derived_stem(scan) -> str:
    digest = hashlib.sha1(scan.image.name.encode()).hexdigest()[:10]
    return f"scan-{digest}"


def derivatives_current(scan) -> bool:
    stem = _derived_stem(scan)
    return bool(
        scan.thumbnail
        and scan.preview
        and os.path.basename(scan.thumbnail.name).startswith(stem)
        and os.path.basename(scan.preview.name).startswith(stem)
    )


def open_verified(fileobj) -> Image.Image:
    """Decode an upload fully with Pillow and refuse anything but a sound image.

    Decides by decoding, not by the name or the declared type: refuses files
    Pillow cannot read (SVG, HTML, text), formats outside ALLOWED_FORMATS,
    truncated files, images over SCAN_MAX_PIXELS (decompression bombs, with
    Pillow's warning promoted to an error) and files with data after the image
    (polyglots: an image header followed by HTML or script).
    """
    max_pixels = settings.SCAN_MAX_PIXELS
    fileobj.seek(0)
    data = fileobj.read(settings.SCAN_MAX_UPLOAD_BYTES + 1)
    if len(data) > settings.SCAN_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than the limit of %(mb)d MB.")
            % {"mb": settings.SCAN_MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="too_large",
        )
    old_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                image = Image.open(io.BytesIO(data))
                fmt = image.format
                if fmt not in ALLOWED_FORMATS:
                    raise ValidationError(
                        _("%(fmt)s files are not accepted: upload a JPEG, PNG, TIFF or WebP image.")
                        % {"fmt": fmt or _("These")},
                        code="bad_format",
                    )
                if image.width * image.height > max_pixels:
                    raise ValidationError(
                        _("The image is too large (%(w)d × %(h)d pixels; the limit is %(limit)d pixels).")
                        % {"w": image.width, "h": image.height, "limit": max_pixels},
                        code="too_many_pixels",
                    )
                image.load()  # decodes every pixel: truncated data fails here
            except ValidationError:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise ValidationError(
                    _("The image is too large to decode safely (over %(limit)d pixels).") % {"limit": max_pixels},
                    code="bomb",
                ) from None
            except Exception:
                raise ValidationError(
                    _(
                        "The file is not a readable image (or it is damaged or truncated): "
                        "upload a JPEG, PNG, TIFF or WebP image."
                    ),
                    code="not_image",
                ) from None
    finally:
        Image.MAX_IMAGE_PIXELS = old_limit
    _refuse_trailing_data(data, fmt)
    fileobj.seek(0)
    return image


_MARKUP = (
    b"<html",
    b"<script",
    b"<svg",
    b"<?php",
    b"<!doctype",
    b"<body",
    b"<iframe",
    b"javascript:",
)


def _refuse_trailing_data(data: bytes, fmt: str) -> None:
    tail = b""
    if fmt == "JPEG":
        end = data.rfind(b"\xff\xd9")
        tail = data[end + 2 :] if end >= 0 else b""
    elif fmt == "PNG":
        end = data.rfind(b"IEND")
        tail = data[end + 8 :] if end >= 0 else b""
    lowered = (tail + data[:4096]).lower()
    if tail.strip(b"\x00\r\n \t") or any(marker in lowered for marker in _MARKUP):
        raise ValidationError(
            _("The file holds other content beside the image (markup or script); it is refused."),
            code="polyglot",
        )


def _render(image: Image.Image, size) -> ContentFile:
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail(size)
    out = io.BytesIO()
    # No exif= argument: the derived file carries no metadata (no GPS location).
    image.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue())


def make_derivatives(scan) -> None:
    """Build the thumbnail and preview of a scan from its master file."""
    scan.image.open("rb")
    try:
        with Image.open(scan.image) as image:
            image.load()
            stem = _derived_stem(scan)
            for field, size, suffix in (
                (scan.thumbnail, THUMBNAIL_SIZE, "thumb"),
                (scan.preview, PREVIEW_SIZE, "preview"),
            ):
                if field:
                    field.delete(save=False)
                field.save(f"{stem}-{suffix}.jpg", _render(image.copy(), size), save=False)
    finally:
        scan.image.close()
