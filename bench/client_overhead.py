"""Benchmark: the collection client's overhead per request against a bare ``requests`` call.

Both talk to the same local emulator over one kept-alive connection, alternating in rounds so
that both see the same machine load. Measured for a push of one alarm and for a list call,
with a ready token (the same headers either way, so the ratio is the client's own work:
option handling, JSON encoding, retry bookkeeping, error mapping) and with AK/SK signing
(which the bare call cannot do; its ratio includes computing the signature).

    client overhead (push, token): client=1.23ms bare=1.20ms ratio=1.03
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from aom_emulator.accounts import DEMO_ACCOUNTS  # noqa: E402
from aom_emulator.process import EmulatorProcess  # noqa: E402
from bench._collection import collection_tree  # noqa: E402

DEMO = DEMO_ACCOUNTS["users"][0]
PROJECT_ID = DEMO["projects"]["cn-north-4"]


def alarm(i: int) -> dict:
    return {"starts_at": int(time.time() * 1000), "ends_at": 0, "timeout": 259200000,
            "metadata": {"event_name": "bench", "event_severity": "Major", "event_type": "alarm",
                         "resource_provider": "bench", "resource_type": "vm", "resource_id": "vm-%d" % (i % 50)},
            "annotations": {"round": str(i)}}


def timed(call, rounds: int) -> float:
    """Median milliseconds of ``call(i)`` over ``rounds`` calls."""
    samples = []
    for i in range(rounds):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds")
    parser.add_argument("--calls", type=int, default=200, help="calls per round and side")
    args = parser.parse_args()

    with collection_tree(), tempfile.TemporaryDirectory(prefix="aom-bench-") as workdir, \
            EmulatorProcess(Path(workdir) / "aom.db") as emulator:
        from ansible_collections.huaweicloud.aom.plugins.module_utils._client import AOMClient
        from ansible_collections.huaweicloud.aom.plugins.module_utils._options import resolve_connection

        token = emulator.demo_token()
        base = {"endpoint": emulator.url, "allow_http": True, "project_id": PROJECT_ID}
        clients = {
            "token": AOMClient(resolve_connection(dict(base, auth_token=token).get)),
            "aksk": AOMClient(resolve_connection(dict(base, access_key=DEMO["access_keys"][0]["ak"],
                                                      secret_key=DEMO["access_keys"][0]["sk"]).get)),
        }
        bare = requests.Session()
        headers = {"Content-Type": "application/json;charset=UTF-8", "X-Auth-Token": token}
        push_url = "%s/v2/%s/push/events" % (emulator.url, PROJECT_ID)
        list_url = "%s/v2/%s/events?limit=10&marker=0&type=active_alert" % (emulator.url, PROJECT_ID)

        def bare_push(i):
            bare.put(push_url, data=json.dumps({"events": [alarm(i)]}), headers=headers, timeout=10).raise_for_status()

        def bare_list(i):
            response = bare.post(list_url, data=json.dumps({"time_range": "-1.-1.4320"}), headers=headers, timeout=10)
            response.raise_for_status()
            response.json()

        operations = {
            "push": (bare_push, lambda client: lambda i: client.push([alarm(i)])),
            "list": (bare_list, lambda client: lambda i: client.list_events(event_type="active_alert", limit=10)),
        }
        for name, (bare_call, client_call) in operations.items():
            for auth, client in clients.items():
                bare_ms, client_ms = [], []
                for _unused in range(args.rounds):
                    bare_ms.append(timed(bare_call, args.calls))
                    client_ms.append(timed(client_call(client), args.calls))
                b, c = statistics.median(bare_ms), statistics.median(client_ms)
                print("client overhead (%s, %s): client=%.2fms bare=%.2fms ratio=%.2f"
                      % (name, auth, c, b, c / b), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
