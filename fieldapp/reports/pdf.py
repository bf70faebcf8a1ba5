"""PDF rendering through WeasyPrint, with a fetcher that serves only our own files.

HTML first, PDF last: the report templates render to a string (what tests
read), and ``write_pdf`` is the thin last step. Report HTML points at
resources with the ``app:`` scheme:

- ``app://static/<path>``: a file under the app's static folder
- ``app://photo/<id>/thumb`` or ``/full``: a photo, only if its id was
  allowed for this report (the visit's own photos)

Anything else (``file:``, ``http(s):``, ``data:``, another visit's photo, a
path escaping the static folder) is refused and noted in ``refused``.
WeasyPrint's default fetcher would happily read ``file:///etc/passwd`` into
an attachment, so every render goes through ``SafeFetcher``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

BASE_URL = "app://static/"


class RefusedURL(ValueError):
    """A report asked for a resource outside what it may use."""


class SafeFetcher(URLFetcher):
    """Serve the app's static files and the listed photos; refuse everything else.

    :param static_dir: the app's static folder.
    :param photo_dir: the instance photo folder.
    :param photos: photo rows (``id``, ``filename``, ``thumb_filename``) this
        report may embed; file names come from these rows, never from the URL.
    """

    def __init__(self, static_dir: str | Path, photo_dir: str | Path, photos: list[dict] = (), **kwargs):
        super().__init__(allowed_protocols=("app",), allow_redirects=False, **kwargs)
        self.static_dir = str(static_dir)
        self.photo_dir = str(photo_dir)
        self.photos = {int(p["id"]): p for p in photos}
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        try:
            path, mime = self._resolve(url)
            body = Path(path).read_bytes()
        except (RefusedURL, OSError) as exc:
            self.refused.append(url)
            raise RefusedURL(f"refused: {url}") from exc
        self.served.append(url)
        return URLFetcherResponse(url, body, {"Content-Type": mime})

    def _resolve(self, url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        if parts.scheme != "app" or parts.query or parts.username or parts.port:
            raise RefusedURL(url)
        segments = [unquote(s) for s in parts.path.split("/") if s]
        if parts.netloc == "static" and segments:
            path = safe_join(self.static_dir, *segments)
            if path is None or not Path(path).is_file():
                raise RefusedURL(url)
            return path, mimetypes.guess_type(path)[0] or "application/octet-stream"
        if parts.netloc == "photo" and len(segments) == 2 and segments[0].isdigit() \
                and segments[1] in ("thumb", "full"):
            row = self.photos.get(int(segments[0]))
            if row is None:
                raise RefusedURL(url)
            name = row["thumb_filename"] if segments[1] == "thumb" else row["filename"]
            path = safe_join(self.photo_dir, *name.split("/"))
            if path is None or not Path(path).is_file():
                raise RefusedURL(url)
            return path, "image/jpeg"
        raise RefusedURL(url)


def photo_url(photo: dict, size: str = "thumb") -> str:
    """The report-internal URL of a photo (resolved only by ``SafeFetcher``)."""
    return f"app://photo/{int(photo['id'])}/{size}"


def render_pdf(html: str, fetcher: SafeFetcher) -> bytes:
    """Turn report HTML into PDF bytes, fetching only through ``fetcher``."""
    # No jpeg_quality/dpi options: either makes WeasyPrint re-encode every JPEG,
    # and the stored thumbnails are already small, EXIF-free JPEGs it embeds as is.
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
