"""Helpers for tests that walk a visit: passing answers and sample images."""

from __future__ import annotations

import io

from PIL import Image

from checklists import load_library

DOUGHNUT = "doughnut-mystery-shop"


def doughnut():
    return load_library()[DOUGHNUT]


def passing_value(item) -> str:
    """A form value that answers ``item`` without failing it."""
    if item.type in ("yes_no", "yes_no_na"):
        return "yes"
    if item.type == "rating":
        return "5"
    if item.type == "number":
        for candidate in (item.pass_min, item.min, item.pass_max, item.max, 1):
            if candidate is not None:
                return str(candidate)
    if item.type == "choice":
        return max(item.choices, key=lambda c: c.score).key
    if item.type == "text":
        return "괜찮았습니다"
    if item.type == "timer":
        return str((item.target_sec or 120) / 2)
    raise ValueError(item.type)


def jpeg_bytes(size=(2400, 1800), exif_gps=False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 60))
    buf = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (37.0, 30.0, 0.0)}  # GPS IFD
        image.save(buf, "JPEG", exif=exif.tobytes())
    else:
        image.save(buf, "JPEG")
    return buf.getvalue()


def start_assignment(client, auth, username="shopper") -> int:
    """Log in, start the first open assignment, return the visit id."""
    auth.login(username)
    home = client.get("/home").get_data(as_text=True)
    import re

    match = re.search(r'action="/assignments/(\d+)/start"', home)
    assert match, "no assignment to start on the auditor's home"
    response = client.post(f"/assignments/{match.group(1)}/start",
                           data={"csrf_token": auth.token()})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def answer(client, token, visit_id, item_key, value, **extra):
    return client.post(f"/visits/{visit_id}/items/{item_key}", data={"value": value, **extra},
                       headers={"X-CSRFToken": token, "HX-Request": "true"})
