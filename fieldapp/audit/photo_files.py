"""Check, clean and store uploaded photos: only real images, no EXIF, bounded size.

Pillow decodes the upload fully (so a truncated file or a polyglot fails
here), ``exif_transpose`` turns it upright, and saving a fresh JPEG without
``exif=`` and without ``info`` drops every tag, GPS and JPEG/GIF comments
included. WeasyPrint later embeds these JPEGs as they are.

WeasyPrint switches Pillow's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES``
on when it renders a PDF; the check here turns it off for its own decode and
puts back what it found, so a truncated upload is refused whatever ran before.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO", "HEIF"}
MAX_PIXELS = 40_000_000  # a 40 MP phone photo; more is a decompression bomb


class PhotoError(ValueError):
    """The upload is not a photo we accept.

    ``code`` names the problem (``empty``, ``format``, ``pixels``, ``unreadable``);
    the app shows it in the user's language by that code (``web.labels``).
    """

    MESSAGES = {"empty": "The file is empty.",
                "format": "Only photos (JPEG, PNG, WebP, HEIC) are accepted.",
                "pixels": "The image has too many pixels.",
                "unreadable": "This file is not a photo we can read."}

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(self.MESSAGES[code])


@dataclass(frozen=True)
class StoredPhoto:
    filename: str
    thumb_filename: str
    width: int
    height: int
    size: int


def store_photo(data: bytes, folder: Path, *, max_px: int = 1600, thumb_px: int = 320) -> StoredPhoto:
    """Validate ``data`` as an image, re-encode it and its thumbnail into ``folder``.

    :raise PhotoError: not an image, an unsupported format, or too large.
    """
    image = _open_image(data)
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGB")
    image.info = {}  # no comment, no ICC/XMP text carried into the saved file
    image.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    folder.mkdir(parents=True, exist_ok=True)
    stem = secrets.token_hex(12)
    name, thumb_name = f"{stem}.jpg", f"{stem}.thumb.jpg"
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=82, optimize=True)
    (folder / name).write_bytes(buf.getvalue())
    thumb = image.copy()
    thumb.thumbnail((thumb_px, thumb_px), Image.Resampling.LANCZOS)
    thumb.save(folder / thumb_name, "JPEG", quality=75)
    return StoredPhoto(name, thumb_name, image.width, image.height, len(buf.getvalue()))


def delete_files(photo_dir: Path, *names: str) -> None:
    """Remove a photo's stored files (a missing file is no error: it is gone either way)."""
    for name in names:
        if name:
            (Path(photo_dir) / name).unlink(missing_ok=True)


def _open_image(data: bytes) -> Image.Image:
    if not data:
        raise PhotoError("empty")
    truncated_ok = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # strict here, whatever WeasyPrint set
    try:
        return _decode(data)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok


def _decode(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
        with probe:
            fmt = probe.format
            if fmt not in ACCEPTED_FORMATS:
                raise PhotoError("format")
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError("pixels")
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
        return image
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoError("unreadable") from None
