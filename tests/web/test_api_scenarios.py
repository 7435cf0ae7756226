"""`/api/scenarios` on a live service: listed, resolved, uploaded (good, bad, too big, badly
named)."""

from __future__ import annotations

from server_support import Server

from lrtsim.model.load import embedded_text, load_scenario


def test_the_embedded_scenarios_are_listed_with_their_line(server: Server) -> None:
    with server.client() as client:
        listed = client.get("/api/scenarios")
    assert listed.status_code == 200
    astana = next(s for s in listed.json() if s["name"] == "astana")
    scenario = load_scenario("astana")
    assert astana["source"] == "embedded"
    assert astana["title"] == scenario.line.name
    assert [s["name"] for s in astana["stations"]] == [s.name for s in scenario.line.stations]
    stations = scenario.line.stations
    assert abs(astana["length_m"] - (stations[-1].km - stations[0].km) * 1000) < 1e-6


def test_a_scenario_is_given_resolved(server: Server) -> None:
    with server.client() as client:
        got = client.get("/api/scenarios/astana")
    assert got.status_code == 200
    body = got.json()
    scenario = load_scenario("astana")
    assert body["line"]["name"] == scenario.line.name
    assert body["rolling_stock"]["name"] == scenario.rolling_stock.name
    assert [s["km"] for s in body["line"]["stations"]] == [s.km for s in scenario.line.stations]
    assert "signalling" in body  # a default section is written out


def test_unknown_and_badly_named_scenarios(server: Server) -> None:
    with server.client() as client:
        assert client.get("/api/scenarios/nowhere").status_code == 404
        assert client.get("/api/scenarios/Bad.Name").status_code == 422
        assert client.get("/api/scenarios/..%2F..%2Fetc%2Fpasswd").status_code in (404, 422)


def test_an_uploaded_scenario_is_stored_listed_and_resolved(server: Server) -> None:
    text = embedded_text("astana")
    with server.client() as client:
        raw = client.post(
            "/api/scenarios?name=mine-1", content=text, headers={"content-type": "application/toml"}
        )
        form = client.post(
            "/api/scenarios?name=mine_2", files={"file": ("astana.toml", text.encode())}
        )
        again = client.post("/api/scenarios?name=mine-1", content=text)
        names = {s["name"]: s["source"] for s in client.get("/api/scenarios").json()}
        resolved = client.get("/api/scenarios/mine_2")
    assert raw.status_code == 201, raw.text
    assert form.status_code == 201, form.text
    assert raw.json()["title"] == load_scenario("astana").line.name
    assert again.status_code == 409
    assert names["mine-1"] == names["mine_2"] == "uploaded"
    assert resolved.status_code == 200
    assert (server.runs_dir / "uploaded-scenarios" / "mine-1.toml").read_text() == text


def test_an_upload_cannot_take_an_embedded_name(server: Server) -> None:
    with server.client() as client:
        taken = client.post("/api/scenarios", content=embedded_text("astana"))
    assert taken.status_code == 409


def test_a_bad_scenario_is_422_with_the_key_path(server: Server) -> None:
    text = embedded_text("astana").replace("km = 4.212", 'km = "far"', 1)
    with server.client() as client:
        bad = client.post("/api/scenarios?name=broken", content=text)
        syntax = client.post("/api/scenarios?name=broken", content="name = [\nx = 1\n")
        listed = [s["name"] for s in client.get("/api/scenarios").json()]
    assert bad.status_code == 422
    assert any(p.startswith("line.stations[3].km") for p in bad.json()["problems"])
    assert syntax.status_code == 422
    assert syntax.json()["problems"][0].startswith("TOML syntax error")
    assert "broken" not in listed


def test_an_upload_over_the_limit_is_413(server: Server) -> None:
    big = "# " + "x" * (1024 * 1024) + "\n"
    with server.client() as client:
        told = client.post("/api/scenarios?name=big", content=big)

        def chunks() -> object:
            for _ in range(17):
                yield b"#" * 65536 + b"\n"

        streamed = client.post("/api/scenarios?name=big", content=chunks())
    assert told.status_code == 413
    assert streamed.status_code == 413
    assert not (server.runs_dir / "uploaded-scenarios" / "big.toml").exists()


def test_a_name_that_is_a_path_is_refused(server: Server) -> None:
    text = embedded_text("astana")
    with server.client() as client:
        for name in ("../evil", "a/b", "UPPER", "x" * 65, ""):
            answer = client.post("/api/scenarios", params={"name": name}, content=text)
            assert answer.status_code == 422, name
    assert not (server.runs_dir / "evil.toml").exists()
    assert not (server.runs_dir.parent / "evil.toml").exists()


def test_a_scenario_naming_a_file_is_refused(server: Server) -> None:
    text = embedded_text("astana").replace("[demand]", '[demand]\nod_matrix_csv = "/etc/passwd"', 1)
    with server.client() as client:
        answer = client.post("/api/scenarios?name=reads-files", content=text)
    assert answer.status_code == 422
    assert any("demand.od_matrix_csv" in p for p in answer.json()["problems"])
