"""Durability of the emulator process under sustained concurrent load: ``kill -9`` while several
threads push continuously, then every acknowledged push must be stored after a restart (and
nothing that was never sent). Loopback only, about four seconds of load."""

import threading
import time

import requests

from emulator_support import PROJECT, alarm

from aom_emulator.accounts import password_token_request

WRITERS = 4
BATCH = 20
LOAD_SECONDS = 4.0


def stored(url):
    return requests.get(f"{url}/_emulator/events", params={"project_id": PROJECT}, timeout=30).json()["events"]


def test_acknowledged_pushes_survive_kill_9_under_concurrent_load(tmp_path, start_emulator):
    db = tmp_path / "aom.db"
    emulator = start_emulator(db)
    url = emulator.url
    token_answer = requests.post(f"{url}/v3/auth/tokens?nocatalog=true", json=password_token_request(), timeout=10)
    assert token_answer.status_code == 201
    token = token_answer.headers["X-Subject-Token"]

    acknowledged, unanswered, errors = set(), set(), []
    lock = threading.Lock()
    killed = threading.Event()

    def writer(number):
        with requests.Session() as session:
            session.headers["X-Auth-Token"] = token
            batch = 0
            while not killed.is_set():
                ids = [f"w{number}-b{batch}-e{i}" for i in range(BATCH)]
                # alarms (each its own identity, stored active) and events (stored in history)
                events = [alarm(resource_id=rid, event_type="alarm" if i % 2 else "event") for i, rid in enumerate(ids)]
                try:
                    response = session.put(f"{url}/v2/{PROJECT}/push/events", json={"events": events}, timeout=10)
                except requests.ConnectionError:
                    with lock:
                        unanswered.update(ids)  # sent, no answer: may or may not be stored
                    return
                with lock:
                    if response.status_code == 204:
                        acknowledged.update(ids)
                    else:
                        errors.append(response.status_code)
                        return
                batch += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(LOAD_SECONDS)
    with lock:
        before_kill = len(acknowledged)
    emulator.proc.kill()  # SIGKILL with pushes in flight
    emulator.proc.wait(10)
    killed.set()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive()
    assert not errors, errors
    assert before_kill >= WRITERS * BATCH, "the load never got going"
    assert unanswered, "no writer saw the kill"

    emulator = start_emulator(db)
    rows = stored(emulator.url)
    stored_ids = [row["metadata"]["resource_id"] for row in rows]
    assert len(stored_ids) == len(set(stored_ids)), "an event was stored twice"
    missing = acknowledged - set(stored_ids)
    assert not missing, f"{len(missing)} acknowledged event(s) lost, e.g. {sorted(missing)[:5]}"
    phantoms = set(stored_ids) - acknowledged - unanswered
    assert not phantoms, f"stored but never sent: {sorted(phantoms)[:5]}"
    # a push is one transaction: a batch is stored whole or not at all
    for rid in set(stored_ids) & unanswered:
        prefix = rid.rsplit("-e", 1)[0]
        assert all(f"{prefix}-e{i}" in stored_ids for i in range(BATCH)), f"batch {prefix} stored in part"
    active = [row for row in rows if row["state"] == "active"]
    assert len(active) == len([rid for rid in stored_ids if int(rid.rsplit("-e", 1)[1]) % 2])
