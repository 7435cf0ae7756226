"""The web service under load (issue 12): `lrtsim serve` started on loopback, one Astana run
made through the API, its replay started, then GTFS-RT VehiclePositions asked for at a fixed
rate; prints the machine and the latency percentiles. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "web"))

from live_support import paced_load
from server_support import RUN_SEED, serve, wait_for

from bench_support import machine

RUN_TIMEOUT_S = 300.0


def main() -> None:
    """Parse the options, serve, make the run, load the endpoint, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--threads", type=int, default=8, help="client threads sharing the pace")
    parser.add_argument(
        "--feed", choices=("vehicle-positions", "trip-updates"), default="vehicle-positions"
    )
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as server:
        with server.client() as client:
            started = client.post("/api/runs", json={"scenario": "astana", "seed": RUN_SEED})
            run = wait_for(client, started.json()["id"], {"complete", "failed"}, RUN_TIMEOUT_S)
            if run["status"] != "complete":
                raise SystemExit(f"the run did not complete: {run}")
            replay = f"/api/runs/{run['id']}/replay"
            client.post(replay, json={"action": "seek", "at": "08:00:00"})
            client.post(replay, json={"action": "start", "speed": 60})
            client.get(f"/gtfs-rt/{run['id']}/{args.feed}")  # the live day built before the load
        url = f"{server.url}/gtfs-rt/{run['id']}/{args.feed}"
        load = paced_load(url, args.rate, args.duration, args.threads)
    print(f"GET /gtfs-rt/{{id}}/{args.feed}, {args.rate:g} requests/s for {args.duration:g} s")
    print(f"answers: {dict(load.statuses)}")
    print(load.summary())


if __name__ == "__main__":
    main()
