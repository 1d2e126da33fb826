"""Scans: safe decoding of uploads and derived images (thumbnail and preview).

The uploaded file is the master and is never altered. Derived images are
rebuilt from it (``manage.py rebuild_scan_derivatives``): EXIF orientation
applied, all metadata (including GPS location) dropped, saved as JPEG.

What is accepted is decided by decoding with Pillow, never by the file's name
or declared type: JPEG, PNG, TIFF and WebP only, fully decodable (not
truncated), within ``SCAN_MAX_PIXELS`` (decompression bombs) and
``SCAN_MAX_UPLOAD_BYTES``, with nothing after the image (polyglots).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import struct
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

# MPO is how Pillow names a JPEG from a camera that holds a second (preview) picture.
ALLOWED_FORMATS = {"JPEG", "MPO", "PNG", "TIFF", "WEBP"}
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


@contextlib.contextmanager
def pixel_limit(max_pixels: int):
    """Decode under an explicit pixel limit, Pillow's bomb warning promoted to an error.

    Pillow warns above ``MAX_IMAGE_PIXELS`` and refuses above twice that; both
    are refusals here.
    """
    old_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = old_limit


def open_verified(fileobj) -> Image.Image:
    """Decode an upload fully with Pillow and refuse anything but a sound image.

    Decides by decoding, not by the name or the declared type: refuses files
    Pillow cannot read (SVG, HTML, text), formats outside ALLOWED_FORMATS,
    truncated files, images over SCAN_MAX_PIXELS (decompression bombs, with
    Pillow's warning promoted to an error), files over SCAN_MAX_UPLOAD_BYTES and
    files with markup or data after the image (polyglots). Writes nothing.
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
    with pixel_limit(max_pixels):
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


def _trailing_bytes(data: bytes, fmt: str) -> bytes:
    """What follows the end of the image, where the format marks its end."""
    if fmt in ("JPEG", "MPO"):
        end = data.rfind(b"\xff\xd9")
        return data[end + 2 :] if end >= 0 else b""
    if fmt == "PNG":
        end = data.rfind(b"IEND")
        return data[end + 8 :] if end >= 0 else b""
    if fmt == "WEBP" and len(data) >= 8:
        (riff_size,) = struct.unpack("<I", data[4:8])
        return data[8 + riff_size + (riff_size & 1) :]
    return b""


def _refuse_trailing_data(data: bytes, fmt: str) -> None:
    """Refuse polyglots: markup or script before, inside the headers of, or after the image.

    Only the head and the tail are searched for markup: compressed pixel data
    is random enough to contain a short marker by chance in a large file.
    """
    tail = _trailing_bytes(data, fmt)
    lowered = (data[:4096] + tail[:65536] + data[-4096:]).lower()
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
    """Build the thumbnail and preview of a scan from its master file (the master is only read)."""
    scan.image.open("rb")
    try:
        with pixel_limit(settings.SCAN_MAX_PIXELS), Image.open(scan.image) as image:
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
