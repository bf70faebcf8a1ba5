"""The service worker names its static cache after the files it keeps, so a
release reaches phones that cached the previous one."""

import re

from fieldapp.web.pwa import static_version


def test_worker_cache_is_named_after_the_static_files(client, app):
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Cache-Control"] == "no-cache"
    body = r.get_data(as_text=True)
    assert "__STATIC_VERSION__" not in body
    name = re.search(r'const STATIC = "cem-static-([0-9a-f]{12})"', body)
    assert name and name.group(1) == static_version(app.static_folder)
    assert 'n.startsWith("cem-static-") && n !== STATIC' in body  # old copies are dropped


def test_static_version_changes_with_any_file_but_the_worker(tmp_path):
    (tmp_path / "app.js").write_text("one")
    (tmp_path / "sw.js").write_text("worker")
    first = static_version(tmp_path)
    (tmp_path / "sw.js").write_text("worker, edited")
    assert static_version(tmp_path) == first
    (tmp_path / "app.js").write_text("two")
    assert static_version(tmp_path) != first
    (tmp_path / "app.js").write_text("one")
    (tmp_path / "app.css").write_text("")
    assert static_version(tmp_path) != first  # a new file counts too
