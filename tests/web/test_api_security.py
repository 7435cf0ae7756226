"""A live service with a token: writes need it, reads do not; no path reaches a file outside a
run's folder; no CORS."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_support import Server, serve, wait_for

from lrtsim.model.load import embedded_text

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("guarded"), "--token", TOKEN) as running:
        yield running


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": "Basic x"}],
)
def test_writes_without_the_token_are_401(guarded: Server, headers: dict[str, str]) -> None:
    with guarded.client(**headers) as client:
        upload = client.post("/api/scenarios?name=mine", content=embedded_text("astana"))
        run = client.post("/api/runs", json={"scenario": "nowhere"})
    assert upload.status_code == 401
    assert run.status_code == 401
    assert upload.headers["www-authenticate"] == "Bearer"
    assert not (guarded.runs_dir / "uploaded-scenarios" / "mine.toml").exists()


def test_writes_with_the_token_pass_and_reads_need_none(guarded: Server) -> None:
    with guarded.client(Authorization=f"Bearer {TOKEN}") as client:
        upload = client.post("/api/scenarios?name=mine", content=embedded_text("astana"))
        run = client.post("/api/runs", json={"scenario": "nowhere"})
    with guarded.client() as client:
        listed = client.get("/api/scenarios")
    assert upload.status_code == 201
    assert run.status_code == 422  # past the token: refused for its scenario
    assert listed.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/..%2F..%2Fetc%2Fpasswd/report",
        "/api/runs/../../etc/passwd/report",
        "/api/runs/%2e%2e%2f%2e%2e%2fetc%2fpasswd/gtfs.zip",
        "/api/runs/not-a-uuid/report",
        "/api/runs/not-a-uuid",
        "/api/runs/00000000-0000-4000-8000-000000000000%2F..%2F..%2Fcatalogue.sqlite/report",
        "/api/scenarios/..%2Fcatalogue",
    ],
)
def test_a_path_never_reaches_a_file(guarded: Server, path: str) -> None:
    with guarded.client() as client:
        answer = client.get(path)
    assert answer.status_code in (404, 422)
    assert b"root:" not in answer.content
    assert b"SQLite format" not in answer.content


def test_no_cors_headers_for_another_origin(guarded: Server) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    with guarded.client(**origin) as client:
        get = client.get("/api/scenarios")
        preflight = client.options("/api/runs", headers={"Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in get.headers
    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code in (404, 405)


def test_malformed_requests_are_4xx(guarded: Server) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with guarded.client(**auth) as client:
        answers = [
            client.post(
                "/api/runs", content=b"{not json", headers={"content-type": "application/json"}
            ),
            client.post("/api/runs", json={"scenario": "astana", "seed": -1}),
            client.post("/api/runs", json={"scenario": "astana", "seed": 2**64}),
            client.post("/api/runs", json={"scenario": "astana", "extra": 1}),
            client.post("/api/runs", json=[1, 2]),
            client.post("/api/scenarios", content=b"\xff\xfe\x00"),
            client.post(
                "/api/scenarios",
                content=b"--x\r\nbroken",
                headers={"content-type": "multipart/form-data; boundary=x"},
            ),
            client.post("/api/scenarios", files={"other": ("a.toml", b"name='a'")}),
        ]
    assert [a.status_code for a in answers] == [422] * len(answers)
    assert all(a.json()["status"] == 422 for a in answers)


def test_nothing_was_written_outside_the_runs_folder(guarded: Server) -> None:
    parent: Path = guarded.runs_dir.parent
    assert sorted(p.name for p in parent.iterdir()) == ["runs", "serve.log"]


def test_the_replay_needs_the_token(guarded: Server) -> None:
    path = "/api/runs/00000000-0000-4000-8000-000000000000/replay"
    with guarded.client() as client:
        without = client.post(path, json={"action": "start"})
        read = client.get(path)
    with guarded.client(Authorization=f"Bearer {TOKEN}") as client:
        with_token = client.post(path, json={"action": "start"})
    assert without.status_code == 401
    assert read.status_code == 404  # reads need no token; this run is unknown
    assert with_token.status_code == 404  # past the token: the run is unknown


@pytest.mark.parametrize(
    "path", ["/api/runs", "/api/scenarios?name=big", f"/api/runs/{uuid.UUID(int=1)}/replay"]
)
def test_a_body_over_the_limit_is_413_told_or_chunked(guarded: Server, path: str) -> None:
    limit = 1024 * 1024
    with guarded.client(Authorization=f"Bearer {TOKEN}") as client:

        def chunks() -> Iterator[bytes]:
            yield b'{"scenario": "'
            for _ in range(limit // 65536 + 1):
                yield b"x" * 65536

        streamed = client.post(path, content=chunks())
        told = client.post(path, content=b" " * (limit + 1))
        after = client.get("/api/runs")
    for answer in (streamed, told):
        assert answer.status_code == 413
        assert answer.headers["content-type"] == "application/problem+json"
        assert str(limit) in answer.json()["detail"]
    assert "transfer-encoding" not in told.request.headers
    assert streamed.request.headers["transfer-encoding"] == "chunked"
    assert after.status_code == 200
    assert not (guarded.runs_dir / "uploaded-scenarios" / "big.toml").exists()


def test_a_scenario_named_as_a_path_runs_inside_the_runs_folder(guarded: Server) -> None:
    text = embedded_text("astana").replace('name = "astana"', 'name = "../escaped"', 1)
    assert 'name = "../escaped"' in text
    with guarded.client(Authorization=f"Bearer {TOKEN}") as client:
        upload = client.post("/api/scenarios?name=pathname", content=text)
        assert upload.status_code == 201, upload.text
        started = client.post("/api/runs", json={"scenario": "pathname", "seed": 1})
        assert started.status_code == 202, started.text
        run = wait_for(client, started.json()["id"], {"complete", "failed"}, 180.0)
    assert run["status"] == "complete", run
    runs = guarded.runs_dir.resolve()
    assert not list(runs.parent.glob("escaped-*"))
    assert [p.name.startswith("escaped-") for p in runs.iterdir() if p.is_dir()].count(True) == 1


def test_a_scenario_nested_too_deep_is_422(guarded: Server) -> None:
    text = "name = 'deep'\nx = " + "[" * 50_000 + "]" * 50_000 + "\n"
    with guarded.client(Authorization=f"Bearer {TOKEN}") as client:
        answer = client.post("/api/scenarios?name=deep", content=text)
        after = client.get("/api/scenarios")
    assert answer.status_code == 422
    assert "nested" in answer.json()["problems"][0]
    assert after.status_code == 200


def test_a_write_from_another_sites_page_is_403_even_without_a_token(server: Server) -> None:
    text = embedded_text("astana").replace('name = "astana"', 'name = "forged"', 1)
    forged = {"Origin": "https://elsewhere.example", "Content-Type": "text/plain"}
    own = {"Origin": server.url}
    with server.client() as client:
        upload = client.post("/api/scenarios", content=text, headers=forged)
        run = client.post("/api/runs", json={"scenario": "astana"}, headers={"Origin": "null"})
        listed = [s["name"] for s in client.get("/api/scenarios").json()]
        mine = client.post("/api/scenarios?name=mine", content=text, headers=own)
    assert upload.status_code == run.status_code == 403
    assert upload.json()["title"] == "Forbidden"
    assert "forged" not in listed
    assert mine.status_code == 201, mine.text
