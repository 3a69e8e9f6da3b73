"""Uploaded photos: re-encoded with Pillow, metadata (EXIF, GPS) dropped, sizes bounded."""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from sns.errors import Invalid
from sns.i18n import N_

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_SIDE = 2048
THUMB_SIDE = 480


@dataclass
class ProcessedImage:
    full: bytes
    thumb: bytes
    width: int
    height: int


def process_image(data: bytes, *, max_bytes: int, max_pixels: int) -> ProcessedImage:
    """Decode, bound, re-encode as JPEG without metadata. Raises `Invalid` with a clear reason."""
    if not data:
        raise Invalid(N_("The photo file is empty."), field="photos")
    if len(data) > max_bytes:
        raise Invalid(
            N_("The photo is too large (at most %(mb)s MB)."), field="photos", mb=max_bytes // (1024 * 1024)
        )
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise Invalid(N_("Photos must be JPEG, PNG, WebP or GIF images."), field="photos")
                if probe.width * probe.height > max_pixels:
                    raise Invalid(N_("The photo has too many pixels."), field="photos")
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.seek(0)
                img.load()
                img = ImageOps.exif_transpose(img)
                if img.mode not in ("RGB", "L"):
                    background = Image.new("RGB", img.size, "white")
                    rgba = img.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    img = background
                else:
                    img = img.convert("RGB")
                img.thumbnail((MAX_SIDE, MAX_SIDE))
                full = _jpeg(img)
                thumb_img = img.copy()
                thumb_img.thumbnail((THUMB_SIDE, THUMB_SIDE))
                return ProcessedImage(full=full, thumb=_jpeg(thumb_img, 80), width=img.width, height=img.height)
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid(N_("The photo has too many pixels."), field="photos") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise Invalid(N_("This file is not a photo we can read."), field="photos") from None


def _jpeg(img: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=True, progressive=True)  # no exif= : nothing kept
    return out.getvalue()


def photo_path(media_dir: Path, photo_id: str, thumb: bool = False) -> Path:
    return media_dir / photo_id[-2:] / (f"{photo_id}.thumb.jpg" if thumb else f"{photo_id}.jpg")


def write_durably(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def save_photo(media_dir: Path, photo_id: str, image: ProcessedImage) -> None:
    write_durably(photo_path(media_dir, photo_id), image.full)
    write_durably(photo_path(media_dir, photo_id, thumb=True), image.thumb)
