#!/usr/bin/env bash
# Copyright: huaweicloud.aom contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# `make demo`: the collection end to end against a local AOM emulator, nothing to configure.
#
#   1. aom_event / aom_event_info: report an alarm, again (unchanged), read it back, clear it twice
#   2. the deploy_guard role with the aom_alarm callback: a deployment that fails (expected!),
#      then the fixed deployment, which clears the alarms
#   3. what AOM holds at the end
#
# Everything lives in a temporary directory (collection path, emulator database, callback
# spool), removed at exit together with the emulator. Exit code 0 when the demo went as told.
#
# Environment: VENV (default: <checkout>/.venv; `make demo` passes .venv-demo, from hack/requirements-demo.txt).
set -euo pipefail

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
python=$venv/bin/python
playbook=$venv/bin/ansible-playbook
if [[ ! -x $playbook ]]; then
    echo "$0: no ansible-playbook in $venv; run 'make demo' (it creates .venv-demo)" >&2
    exit 2
fi

if [[ -t 1 ]]; then
    bold=$'\e[1m' green=$'\e[32m' yellow=$'\e[33m' reset=$'\e[0m'
else
    bold='' green='' yellow='' reset=''
fi
section() { printf '\n%s==== %s ====%s\n' "$bold" "$*" "$reset"; }
note() { printf '%s>>> %s%s\n' "$yellow" "$*" "$reset"; }
ok() { printf '%s>>> %s%s\n' "$green" "$*" "$reset"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/huaweicloud-aom-demo.XXXXXX")
emulator_pid=
cleanup() {
    if [[ -n $emulator_pid ]] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid"
        wait "$emulator_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

section "Setting up"
# the checkout as the collection huaweicloud.aom
mkdir -p "$tmp/collections/ansible_collections/huaweicloud"
ln -s "$root" "$tmp/collections/ansible_collections/huaweicloud/aom"
export ANSIBLE_COLLECTIONS_PATH=$tmp/collections
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_RETRY_FILES_ENABLED=false
# the callback keeps undelivered alarms here (nothing should be left: the emulator is up)
export AOM_ALARM_SPOOL_DIR=$tmp/spool

# the AOM emulator on a free loopback port, with a throw-away database
PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} "$python" -m aom_emulator --host 127.0.0.1 --port 0 \
    --db "$tmp/aom.db" --port-file "$tmp/port" >"$tmp/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 150); do
    [[ -s $tmp/port ]] && break
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        cat "$tmp/emulator.log" >&2
        echo "$0: the emulator did not start" >&2
        exit 1
    fi
    sleep 0.2
done
if [[ ! -s $tmp/port ]]; then
    echo "$0: the emulator did not start within 30 seconds" >&2
    exit 1
fi
url=http://127.0.0.1:$(cat "$tmp/port")

# connection for every module, role and the callback: the emulator's built-in demo account
export HW_AOM_ENDPOINT=$url HW_AUTH_URL=$url HW_AOM_ALLOW_HTTP=true HW_REGION_NAME=cn-north-4
export HW_PROJECT_ID=0123456789abcdef0123456789abcdef
export HW_ACCESS_KEY=DEMOACCESSKEY0000000
export HW_SECRET_KEY=DEMOSECRETKEYdemosecretkeydemosecretkey00
echo "AOM emulator:   $url (pid $emulator_pid)"
echo "collection:     huaweicloud.aom from $root"
echo "credentials:    HW_ACCESS_KEY=$HW_ACCESS_KEY, project $HW_PROJECT_ID (the emulator's demo account)"

# Print a table of what the emulator stores (its control endpoint); "active" shows only active alarms.
show_aom() {
    "$python" - "$url" "$HW_PROJECT_ID" "$1" <<'PY'
import json
import sys
import time
import urllib.parse
import urllib.request

url, project, which = sys.argv[1], sys.argv[2], sys.argv[3]
query = urllib.parse.urlencode({"project_id": project})
with urllib.request.urlopen(f"{url}/_emulator/events?{query}", timeout=30) as response:
    rows = json.load(response)["events"]
if which == "active":
    rows = [row for row in rows if row["state"] == "active"]


def when(ms):
    return time.strftime("%H:%M:%S", time.gmtime(ms / 1000)) if ms else "-"


def status(row):
    if row["metadata"]["event_type"] == "event":
        return "event"
    return "ACTIVE" if row["state"] == "active" else "cleared"


def detail(row):
    notes = row["annotations"]
    text = notes.get("failed_task") or notes.get("task") or notes.get("summary") or \
        notes.get("alarm_probableCause_en_us") or ""
    return text if len(text) <= 60 else text[:57] + "..."


header = ("#", "started", "ended", "status", "severity", "name", "resource", "detail")
table = [header] + [
    (str(row["event_sn"]), when(row["starts_at"]), when(row["ends_at"]), status(row),
     row["metadata"]["event_severity"], row["metadata"]["event_name"], row["metadata"]["resource_id"],
     detail(row))
    for row in rows
]
widths = [max(len(line[i]) for line in table) for i in range(len(header))]
for number, line in enumerate(table):
    print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    if number == 0:
        print("  ".join("-" * width for width in widths))
active = sum(1 for row in rows if row["state"] == "active")
if which == "active":
    print(f"\n{active} active alarm(s) (times UTC).")
else:
    print(f"\n{len(rows)} events and alarms recorded (times UTC), {active} alarm(s) still active.")
PY
}

section "1. Report an alarm, report it again, read it back, clear it, clear it again"
note "ansible-playbook huaweicloud.aom.demo"
"$playbook" huaweicloud.aom.demo
ok "the second report and the second clear changed nothing: aom_event is idempotent"

export ANSIBLE_CALLBACKS_ENABLED=huaweicloud.aom.aom_alarm
section "2a. A deployment that fails (this failure is expected)"
note "ANSIBLE_CALLBACKS_ENABLED=$ANSIBLE_CALLBACKS_ENABLED"
note "ansible-playbook huaweicloud.aom.failed_deployment_demo -e demo_break=true"
if "$playbook" huaweicloud.aom.failed_deployment_demo -e demo_break=true; then
    echo "$0: the broken deployment was expected to fail, and did not" >&2
    exit 1
fi
ok "the deployment failed, as intended: deploy_guard raised the 'deployment_failed' alarm"
ok "naming the failed task, and the aom_alarm callback raised 'ansible_playbook_failed'"
note "the active alarms in AOM now:"
show_aom active

section "2b. The fixed deployment"
note "ansible-playbook huaweicloud.aom.failed_deployment_demo"
"$playbook" huaweicloud.aom.failed_deployment_demo
ok "the deployment succeeded: both alarms are cleared"

section "3. What AOM holds now"
show_aom all

section "Done"
echo "The emulator stops now and its temporary database is removed."
