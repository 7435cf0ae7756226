"""The dashboard's files as the service serves them: the page at /, its stylesheet and script
under /static/, nothing fetched from another host, and no path out of the static folder."""

from __future__ import annotations

import re

from server_support import Server

from lrtsim.web.app import STATIC_DIR

EXTERNAL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def test_the_page_and_its_files_are_served(server: Server) -> None:
    with server.client() as client:
        page = client.get("/")
        css = client.get("/static/dashboard.css")
        js = client.get("/static/dashboard.js")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'src="/static/dashboard.js"' in page.text
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert js.status_code == 200
    assert "javascript" in js.headers["content-type"]
    assert js.text == (STATIC_DIR / "dashboard.js").read_text(encoding="utf-8")


def test_nothing_is_fetched_from_another_host() -> None:
    for path in sorted(STATIC_DIR.iterdir()):
        text = path.read_text(encoding="utf-8").replace(SVG_NAMESPACE, "")
        assert EXTERNAL.findall(text) == [], path.name


def test_the_static_mount_does_not_leave_its_folder(server: Server) -> None:
    with server.client() as client:
        for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py"):
            answer = client.get(path)
            assert answer.status_code == 404, path
            assert "create_app" not in answer.text
    assert (STATIC_DIR.parent / "app.py").is_file()


def test_the_page_is_not_in_the_api_schema(server: Server) -> None:
    with server.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths
    assert not any(p.startswith("/static") for p in paths)
