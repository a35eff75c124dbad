"""Benchmark: the EDA source ``aom_alarms`` — cost per poll and time from report to event.

(1) Cost of one steady poll (nothing changed) against 1,000 and 10,000 active alarms: the
source's ``poll_once`` (paging with the collection's client in a thread, normalising, comparing
with what it already told) against a bare ``requests`` loop that pages the same list and parses
the JSON, alternating so that both see the same machine load; token auth on both sides.
(2) Latency at ``interval: 1``: from just before an alarm is pushed to its ``raised`` event
reaching the queue, with 1,000 other alarms active.

    eda source poll: alarms=1000 source=45.1ms bare=41.0ms ratio=1.10 requests/poll=1 (bare 1)
    eda source latency: interval=1s alarms=1000 samples=10 p50=0.61s p90=0.98s max=1.05s
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import runpy
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from aom_emulator.accounts import DEMO_ACCOUNTS  # noqa: E402
from aom_emulator.process import EmulatorProcess  # noqa: E402
from bench._collection import collection_tree  # noqa: E402

PROJECT_ID = DEMO_ACCOUNTS["users"][0]["projects"]["cn-north-4"]
SOURCE_PATH = REPO_ROOT / "extensions" / "eda" / "plugins" / "event_source" / "aom_alarms.py"


def alarm(name: str, index: int) -> dict:
    return {"starts_at": int(time.time() * 1000), "ends_at": 0, "timeout": 259200000,
            "metadata": {"event_name": name, "event_severity": "Major", "event_type": "alarm",
                         "resource_provider": "bench", "resource_type": "vm", "resource_id": "vm-%05d" % index},
            "annotations": {"message": "bench alarm %d" % index}}


class CountingQueue(asyncio.Queue):
    pass


def bare_poll(session, url, token):
    """Page the active alarms to the end with plain requests; the number of requests."""
    marker, count, sent = "0", 0, 0
    while True:
        response = session.post(url, params={"type": "active_alert", "limit": 1000, "marker": marker},
                                data=json.dumps({"time_range": "-1.-1.43200"}),
                                headers={"Content-Type": "application/json;charset=UTF-8", "X-Auth-Token": token},
                                timeout=60)
        response.raise_for_status()
        sent += 1
        answer = response.json()
        count += len(answer["events"])
        marker = answer["page_info"].get("next_marker") or ""
        if not marker or len(answer["events"]) < 1000:
            return sent


async def poll_cost(source, session, url, token, rounds):
    queue = CountingQueue()
    await source.poll_once(queue)  # the first poll tells them all; steady polls follow
    told = queue.qsize()
    source_ms, bare_ms, source_requests, bare_requests = [], [], [], []
    for _round in range(rounds):
        before = source.client.stats["requests"]
        start = time.perf_counter()
        await source.poll_once(queue)
        source_ms.append((time.perf_counter() - start) * 1000)
        source_requests.append(source.client.stats["requests"] - before)
        start = time.perf_counter()
        bare_requests.append(await asyncio.to_thread(bare_poll, session, url, token))
        bare_ms.append((time.perf_counter() - start) * 1000)
    if queue.qsize() != told:
        raise RuntimeError("a steady poll told a change: %d events after %d" % (queue.qsize(), told))
    return told, statistics.median(source_ms), statistics.median(bare_ms), max(source_requests), max(bare_requests)


async def latency(module, args, aom, samples):
    """Seconds from just before a push to the event on the queue, with the source polling at interval 1."""
    queue = asyncio.Queue()
    config = module["SourceConfig"](dict(args, interval=1, emit_existing=False), environ={})
    task = asyncio.create_task(module["AlarmSource"](config, module["AOMClient"](config.connection)).run(queue))
    await asyncio.sleep(1.5)
    results = []
    try:
        for index in range(samples):
            await asyncio.sleep(random.uniform(0.0, 1.0))  # any phase of the poll cycle
            started = time.perf_counter()
            await asyncio.to_thread(aom.push, [alarm("latency", index)])
            event = await asyncio.wait_for(queue.get(), 30)
            results.append(time.perf_counter() - started)
            if event["aom_alarm"]["metadata"]["resource_id"] != "vm-%05d" % index:
                raise RuntimeError("unexpected event %r" % event)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="active alarms for the poll cost")
    parser.add_argument("--rounds", type=int, default=5, help="alternating steady polls per size and side")
    parser.add_argument("--samples", type=int, default=10, help="latency samples at interval 1")
    options = parser.parse_args()

    with collection_tree(), tempfile.TemporaryDirectory(prefix="aom-bench-") as workdir, \
            EmulatorProcess(Path(workdir) / "aom.db") as emulator:
        module = runpy.run_path(str(SOURCE_PATH))
        token = emulator.demo_token()
        args = {"endpoint": emulator.url, "allow_http": True, "project_id": PROJECT_ID, "auth_token": token,
                "request_timeout": 120}
        aom = module["AOMClient"](module["SourceConfig"](args, environ={}).connection)
        session = requests.Session()
        url = "%s/v2/%s/events" % (emulator.url, PROJECT_ID)
        active = 0
        for size in [int(s) for s in options.sizes.split(",")]:
            aom.push([alarm("poll", index) for index in range(active, size)])
            active = size
            source = module["AlarmSource"](module["SourceConfig"](dict(args, interval=60), environ={}),
                                           module["AOMClient"](module["SourceConfig"](args, environ={}).connection))
            told, source_ms, bare_ms, source_requests, bare_requests = asyncio.run(
                poll_cost(source, session, url, token, options.rounds))
            print("eda source poll: alarms=%d source=%.1fms bare=%.1fms ratio=%.2f requests/poll=%d (bare %d) "
                  "first poll told=%d" % (size, source_ms, bare_ms, source_ms / bare_ms, source_requests,
                                          bare_requests, told))
        # Latency with 1,000 alarms active: clear down to that many first.
        keep = 1000
        if active > keep:
            aom.push([dict(alarm("poll", index), ends_at=int(time.time() * 1000)) for index in range(keep, active)],
                     clear=True)
        samples = asyncio.run(latency(module, args, aom, options.samples))
        samples.sort()
        print("eda source latency: interval=1s alarms=%d samples=%d p50=%.2fs p90=%.2fs max=%.2fs"
              % (keep, len(samples), statistics.median(samples), samples[int(0.9 * (len(samples) - 1))],
                 samples[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
