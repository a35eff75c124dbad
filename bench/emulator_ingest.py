"""Benchmark: how fast the local AOM emulator ingests pushes.

Starts ``python -m aom_emulator`` on a free port with a throw-away database, then for 1, 10 and
100 concurrent clients (threads, one ``requests.Session`` each, token auth) sends a bounded
number of batches of 100 alarms and prints one line per level:

    emulator ingest: clients=10 batches=200 events/s=... p50_ms=... p99_ms=...

Every push is committed (fsync'd) before it is answered, so this measures durable ingest.
Each level stops early after ``--max-seconds``; the emulator is always stopped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from aom_emulator.process import EmulatorProcess  # noqa: E402
PROJECT_ID = "0123456789abcdef0123456789abcdef"  # the demo account's cn-north-4


def batch(level: int, number: int, size: int) -> dict:
    now = int(time.time() * 1000)
    return {"events": [{
        "starts_at": now, "timeout": 3_600_000,
        "metadata": {"event_name": "bench", "event_severity": "Major", "event_type": "alarm",
                     "resource_provider": "bench", "resource_type": "vm",
                     "resource_id": f"c{level}-b{number}-e{index}"},
        "annotations": {"message": "emulator ingest benchmark"},
    } for index in range(size)]}


def run_level(url: str, token: str, clients: int, batches: int, size: int, max_seconds: float) -> str:
    push_url = f"{url}/v2/{PROJECT_ID}/push/events"
    next_batch = iter(range(batches))
    take_lock = threading.Lock()  # hands out batch numbers, so the total stays bounded
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        with requests.Session() as session:
            session.headers.update({"X-Auth-Token": token, "Content-Type": "application/json"})
            while time.monotonic() < deadline:
                with take_lock:
                    number = next(next_batch, None)
                if number is None:
                    return
                body = batch(clients, number, size)
                started = time.perf_counter()
                response = session.put(push_url, json=body, timeout=30)
                latencies.append(time.perf_counter() - started)  # list.append is atomic
                if response.status_code != 204:
                    failures.append(f"HTTP {response.status_code}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _unused in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    sent = len(latencies)
    ms = sorted(latency * 1000 for latency in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else 0.0
    line = (f"emulator ingest: clients={clients} batches={sent} events/s={sent * size / elapsed:.0f} "
            f"p50_ms={statistics.median(ms) if ms else 0.0:.1f} p99_ms={p99:.1f}")
    if failures:
        line += f" failures={len(failures)} ({failures[0]})"
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,10,100", help="comma-separated concurrency levels")
    parser.add_argument("--batches", type=int, default=200, help="batches per level")
    parser.add_argument("--batch-size", type=int, default=100, help="events per batch")
    parser.add_argument("--max-seconds", type=float, default=15.0, help="time cap per level")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="aom-bench-") as workdir:
        with EmulatorProcess(Path(workdir) / "aom.db") as emulator:
            url = emulator.url
            token = emulator.demo_token()
            for clients in (int(level) for level in args.clients.split(",")):
                print(run_level(url, token, clients, args.batches, args.batch_size, args.max_seconds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
