"""The real ansible-rulebook CLI runs the shipped rulebook against the emulator: an alarm is
raised, the rule runs the remediation playbook, the playbook clears the alarm, the source tells
it cleared, and the rulebook stops. Needs ansible-rulebook (hack/requirements-dev.txt) and Java 17+."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from eda_support import AK, PROJECT, REPO_ROOT, SK, alarm, emulator_client

BIN = Path(sys.executable).parent
RULEBOOK = REPO_ROOT / "extensions" / "eda" / "rulebooks" / "aom_remediate.yml"


def collection_tree(tmp_path):
    """This checkout as an installed collection: <tmp>/ansible_collections/huaweicloud/aom."""
    root = tmp_path / "collections"
    subprocess.run(["bash", str(REPO_ROOT / "hack" / "copy-checkout.sh"),
                    str(root / "ansible_collections" / "huaweicloud" / "aom")], check=True, timeout=120)
    return root


def stopping_rulebook(tmp_path):
    """The shipped rulebook, unchanged, plus one rule: stop once an alarm is told cleared."""
    rulesets = yaml.safe_load(RULEBOOK.read_text())
    rulesets[0]["match_multiple_rules"] = True
    rulesets[0]["rules"].append({"name": "Stop the test once the alarm is cleared",
                                 "condition": 'event.aom_alarm.state == "cleared"',
                                 "action": {"shutdown": {"message": "alarm cleared", "delay": 0}}})
    path = tmp_path / "aom_remediate_then_stop.yml"
    path.write_text(yaml.safe_dump(rulesets, sort_keys=False))
    return path


def test_alarm_remediated_cleared_and_rulebook_stops(emulator, tmp_path):
    assert shutil.which("java"), "ansible-rulebook needs a Java 17+ runtime: apt-get install openjdk-17-jre-headless"
    collections = collection_tree(tmp_path)
    aom = emulator_client(emulator.url)
    aom.push([alarm("web1", name="disk full"), alarm("web2", name="cpu high")])

    remediation_log = tmp_path / "remediation.log"
    variables = tmp_path / "vars.yml"
    variables.write_text(yaml.safe_dump({"aom_interval": 1, "aom_state_file": str(tmp_path / "bookmark.json"),
                                         "aom_remediation_log": str(remediation_log)}))
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
    env = dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ["PATH"]]),
               ANSIBLE_COLLECTIONS_PATH=str(collections), HOME=str(tmp_path / "home"),
               HW_AOM_ENDPOINT=emulator.url, HW_AUTH_URL=emulator.url, HW_AOM_ALLOW_HTTP="true",
               HW_ACCESS_KEY=AK, HW_SECRET_KEY=SK, HW_PROJECT_ID=PROJECT, ANSIBLE_FORCE_COLOR="0")
    env.pop("PYTHONPATH", None)

    started = time.monotonic()
    run = subprocess.run([str(BIN / "ansible-rulebook"), "-r", str(stopping_rulebook(tmp_path)),
                          "-i", str(inventory), "--vars", str(variables), "-v"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    elapsed = time.monotonic() - started
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    assert elapsed < 120

    # The fix ran once, for the matching alarm only.
    fixes = [json.loads(line) for line in remediation_log.read_text().splitlines()]
    assert [(f["fixed"], f["resource_id"]) for f in fixes] == [("disk full", "web1")]
    # The playbook cleared it on AOM; the other alarm is untouched.
    active = aom.list_events(event_type="active_alert")
    assert [a["metadata"]["resource_id"] for a in active] == ["web2"]
    # The source told the clear, and the rule on "cleared" ran.
    assert "AOM alarm disk full on web1 is cleared" in output
    assert "alarm cleared" in output
    # No secret in anything the rulebook printed.
    assert SK not in output
    log = requests.get(emulator.url + "/_emulator/requests", timeout=5).json()["requests"]
    assert [r["query"].get("action") for r in log if r["method"] == "PUT"] == [None, "clear"]
    print("rulebook: alarm -> remediation -> cleared -> stop in %.1f s" % elapsed)
