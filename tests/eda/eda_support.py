"""Helpers for the EDA source tests: load the source the way ansible-rulebook does (by path),
a client on the emulator to raise and clear alarms, and queue helpers. (A uniquely named
module, not conftest, so tests can import it.)"""

from __future__ import annotations

import asyncio
import runpy
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # `aom_emulator` lives at the repository root

SOURCE_PATH = REPO_ROOT / "extensions" / "eda" / "plugins" / "event_source" / "aom_alarms.py"
SCHEMA_PATH = SOURCE_PATH.parent / "schemas" / "aom_alarms.json"
# ansible-rulebook runs the file with runpy.run_path: so do the tests.
SOURCE = runpy.run_path(str(SOURCE_PATH))

from ansible_collections.huaweicloud.aom.plugins.module_utils._client import AOMClient  # noqa: E402
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import resolve_connection  # noqa: E402

PROJECT = "0123456789abcdef0123456789abcdef"
AK = "DEMOACCESSKEY0000000"
SK = "DEMOSECRETKEYdemosecretkeydemosecretkey00"


def connection_args(url, **extra):
    return dict(endpoint=url, identity_endpoint=url, allow_http=True, project_id=PROJECT,
                access_key=AK, secret_key=SK, **extra)


def emulator_client(url):
    return AOMClient(resolve_connection(connection_args(url, retries=0).get))


def alarm(resource_id="web1", name="cpu high", severity="Major", annotations=None, **extra_metadata):
    return {
        "starts_at": 1_700_000_000_000, "ends_at": 0, "timeout": 86_400_000,
        "metadata": {"event_name": name, "event_severity": severity, "event_type": "alarm",
                     "resource_provider": "ecs", "resource_type": "vm", "resource_id": resource_id,
                     **extra_metadata},
        "annotations": {"message": f"{name} on {resource_id}"} if annotations is None else annotations,
    }


def cleared(event):
    return dict(event, ends_at=1_700_000_100_000)


class ListQueue(asyncio.Queue):
    """A queue that also keeps everything put on it, in order."""

    def __init__(self):
        super().__init__()
        self.seen = []

    async def put(self, item):
        self.seen.append(item)
        await super().put(item)


async def take(queue, count, timeout=10.0):
    """The next ``count`` events (fails the test if they do not come within ``timeout``)."""
    return [await asyncio.wait_for(queue.get(), timeout) for _index in range(count)]


async def nothing_more(queue, seconds):
    """Assert that no event arrives for ``seconds``."""
    try:
        event = await asyncio.wait_for(queue.get(), seconds)
    except asyncio.TimeoutError:
        return
    raise AssertionError(f"unexpected event: {event}")


def summary(events):
    """``[(state, resource_id, severity)]`` of events, for readable assertions."""
    return [(e["aom_alarm"]["state"], e["aom_alarm"]["metadata"]["resource_id"],
             e["aom_alarm"]["metadata"]["event_severity"]) for e in events]
