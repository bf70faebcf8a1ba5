"""The store's QR table tent: an A5 sheet folded in half, Korean on one face and
English on the other (the top half printed upside down so both read upright
once folded), each with the store's public survey link as a sharp SVG QR code.
"""

from __future__ import annotations

import io

import segno
from flask import current_app, render_template, url_for
from flask_babel import force_locale


def public_url(token: str) -> str:
    """The absolute public link of a survey token: ``FIELDAPP_PUBLIC_BASE_URL``, else the app's
    ``FIELDAPP_BASE_URL`` (as in mails), else the host of this request."""
    base = current_app.config.get("PUBLIC_BASE_URL") or current_app.config.get("BASE_URL")
    path = url_for("voice.start", token=token)
    return base.rstrip("/") + path if base else url_for("voice.start", token=token, _external=True)


def qr_svg(data: str, scale: int = 4) -> str:
    """A QR code as inline SVG markup (error correction M, quiet zone kept)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=scale, xmldecl=False, svgns=True,
                                     svgclass="qr", lineclass=None, dark="#000", omitsize=True)
    return out.getvalue().decode()


def poster_html(link: dict, url: str) -> str:
    faces = []
    for lang in ("en", "ko"):   # English on the top half (turned), Korean the right way up
        with force_locale(lang):
            faces.append({"lang": lang, "html": render_template("voice/_poster_face.html", link=link,
                                                                url=url + f"?lang={lang}", qr=qr_svg(url + f"?lang={lang}"))})
    return render_template("voice/poster_print.html", link=link, faces=faces)


def poster_pdf(link: dict, url: str) -> bytes:
    from fieldapp.reports import pdf as report_pdf

    fetcher = report_pdf.SafeFetcher(current_app.static_folder, current_app.config["PHOTO_DIR"], [])
    return report_pdf.render_pdf(poster_html(link, url), fetcher)
