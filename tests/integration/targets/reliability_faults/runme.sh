#!/usr/bin/env bash
# Reliability of aom_event, aom_event_info and the aom_alarm callback against a faulty AOM
# (the emulator's fault switches):
# 1. faults.yml: 500/502/503/504/429 (with and without Retry-After), answers slower than
#    request_timeout, dropped connections, malformed JSON on the lookup, tokens refused mid-run;
#    each `retries` times (delivered) and `retries` + 1 times (a clear failure); after each, the
#    store holds every delivered alarm once and no identity twice.
# 2. The emulator killed (kill -9) during a 300-alarm batch and restarted on the same port:
#    the task succeeds or fails clearly, a rerun completes it, every alarm is stored once.
# 3. The callback while the emulator is down: spooled; once it is back, the next run delivers
#    every alarm exactly once and empties the spool.
set -eux

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}

# The collection under test: in the collection paths (ansible-test sets them), else above this target.
root=
IFS=: read -r -a collection_paths <<<"${ANSIBLE_COLLECTIONS_PATH:-${ANSIBLE_COLLECTIONS_PATHS:-}}"
for path in "${collection_paths[@]}"; do
    if [[ -n $path && -f $path/ansible_collections/huaweicloud/aom/aom_emulator/__init__.py ]]; then
        root=$path/ansible_collections/huaweicloud/aom
        break
    fi
done
scratch=$(mktemp -d "${TMPDIR:-/tmp}/reliability_faults.XXXXXX")
if [[ -z $root ]]; then
    root=$(cd ../../../.. && pwd)
    # run from a checkout: make the collection importable for ansible-playbook
    mkdir -p "$scratch/collections/ansible_collections/huaweicloud"
    ln -sfn "$root" "$scratch/collections/ansible_collections/huaweicloud/aom"
    export ANSIBLE_COLLECTIONS_PATH=$scratch/collections
fi
[[ -f $root/aom_emulator/__init__.py ]]

# The emulator's pid is kept in a file: the background job of step 2 restarts it.
stop_emulator() {
    local pid
    pid=$(cat "$scratch/emulator.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && grep -qa aom_emulator "/proc/$pid/cmdline" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$scratch/emulator.pid"
}
kill_emulator() {
    local pid
    pid=$(cat "$scratch/emulator.pid")
    kill -9 "$pid"
    while kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; do sleep 0.02; done
    rm -f "$scratch/emulator.pid"
}
watcher_pid=
cleanup() {
    [[ -z $watcher_pid ]] || kill "$watcher_pid" 2>/dev/null || true
    stop_emulator
    [[ -n ${KEEP_SCRATCH:-} ]] || rm -rf "$scratch"
}
trap cleanup EXIT

# start_emulator [PORT]: on PORT (to come back where the clients expect it), else any free one
start_emulator() {
    rm -f "$scratch/port"
    PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} "$python" -m aom_emulator --host 127.0.0.1 --port "${1:-0}" \
        --db "$scratch/aom.db" --port-file "$scratch/port" </dev/null >>"$scratch/emulator.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$scratch/emulator.pid"
    # recorded for hack/ansible-test.sh, which stops any emulator a failed target left behind
    if [[ -d $root/tests/output/.tmp ]]; then echo "$pid" >>"$root/tests/output/.tmp/aom-emulator.pids"; fi
    for _ in $(seq 150); do
        [[ -s $scratch/port ]] && return 0
        kill -0 "$pid" || { cat "$scratch/emulator.log"; return 1; }
        sleep 0.1
    done
    return 1
}

start_emulator
port=$(cat "$scratch/port")
url=http://127.0.0.1:$port

# the emulator's built-in demo account (docs/architecture.md)
project=0123456789abcdef0123456789abcdef
export HW_AOM_ENDPOINT=$url HW_AUTH_URL=$url HW_AOM_ALLOW_HTTP=true HW_PROJECT_ID=$project
export HW_ACCESS_KEY=DEMOACCESSKEY0000000 HW_SECRET_KEY=DEMOSECRETKEYdemosecretkeydemosecretkey00
export ANSIBLE_HOST_KEY_CHECKING=false
# refute CMD...: fail when CMD succeeds (`! CMD` never stops a `set -e` script)
refute() {
    if "$@"; then
        echo "unexpected success: $*" >&2
        exit 1
    fi
}
store() { "$python" files/aom_store.py "$url" "$@"; }
with_callback() {
    ANSIBLE_CALLBACKS_ENABLED="${ANSIBLE_CALLBACKS_ENABLED:+$ANSIBLE_CALLBACKS_ENABLED,}huaweicloud.aom.aom_alarm" "$@"
}

# 1. transient faults, within and beyond the retries
ansible-playbook -i inventory faults.yml

# 2. kill -9 and restart on the same port in the middle of a 300-alarm batch (3 pushes)
"$python" - "$scratch/batch.json" <<'EOF'
import json, sys
batch = [{'event_name': 'reliability', 'resource_provider': 'ecs', 'resource_type': 'vm',
          'resource_id': 'batch-%03d' % i, 'annotations': {'n': str(i)}} for i in range(300)]
json.dump({'batch': batch}, open(sys.argv[1], 'w'))
EOF
store reset
# each push waits a second first, so the kill lands while the second one is in flight
store fault '{"delay": 1, "count": 3, "path": "/push/events", "method": "PUT"}'
(
    trap - EXIT
    store wait-push 60
    kill_emulator
    sleep 0.3
    start_emulator "$port"
) >"$scratch/watcher.log" 2>&1 &
watcher_pid=$!
ansible-playbook -i inventory batch.yml -e "@$scratch/batch.json" -e "result_file=$scratch/first.json"
wait "$watcher_pid" || { cat "$scratch/watcher.log"; exit 1; }
watcher_pid=
cat "$scratch/first.json"; echo
[[ -s $scratch/emulator.pid ]]  # restarted
# what the restarted emulator received: the pushes the kill interrupted or had not reached yet
after_restart=$(store pushed report)
"$python" - "$scratch/first.json" "$after_restart" <<'EOF'
import json, re, sys
result = json.load(open(sys.argv[1]))
after_restart = int(sys.argv[2])
if result.get('failed'):
    # a clear failure: what failed and why, never a traceback
    message = result['msg']
    print('first run failed: %s' % message)
    assert re.search(r'AOM push failed: (could not reach 127\.0\.0\.1:\d+ after \d+ attempt\(s\)|HTTP 5\d\d)', message), message
    assert 'Traceback' not in message and 'exception' not in result, result
else:
    counts = result['counts']
    print('first run delivered everything: %s, %d alarms after the restart' % (counts, after_restart))
    assert counts == {'reported': 300}, counts
    # the kill came after the first push and before the last: the batch really straddled it
    assert 100 <= after_restart <= 200, after_restart
EOF
store check "$project"  # whatever landed before the kill: no identity twice
ansible-playbook -i inventory batch.yml -e "@$scratch/batch.json" -e "result_file=$scratch/second.json"
"$python" - "$scratch/first.json" "$scratch/second.json" <<'EOF'
import json, sys
first, second = (json.load(open(path)) for path in sys.argv[1:])
assert not second.get('failed'), second
counts = second['counts']
total = counts.get('unchanged', 0) + counts.get('reported', 0)
assert total == 300 and set(counts) <= {'unchanged', 'reported'}, counts
if not first.get('failed'):
    assert counts == {'unchanged': 300}, counts  # the first run delivered all: nothing left to do
print('rerun: %s' % counts)
EOF
store check "$project" --active-prefix batch-=300
# and once more: nothing to do
ansible-playbook -i inventory batch.yml -e "@$scratch/batch.json" -e "result_file=$scratch/third.json"
"$python" -c "import json, sys; r = json.load(open(sys.argv[1])); assert r['counts'] == {'unchanged': 300} and not r['changed'], r" \
    "$scratch/third.json"
store check "$project" --active-prefix batch-=300

# 3. the callback loses nothing across a restart of the emulator
export AOM_ALARM_SPOOL_DIR=$scratch/spool AOM_ALARM_FLUSH_TIMEOUT=3 HW_AOM_REQUEST_TIMEOUT=1 HW_AOM_RETRIES=1
spooled_files() { find "$scratch/spool" -name '*.json' 2>/dev/null | wc -l; }
kill_emulator
rc=0
with_callback ansible-playbook -i inventory cb_fail.yml >"$scratch/out" 2>&1 || rc=$?
cat "$scratch/out"
[[ $rc == 2 ]]
grep -q 'were spooled to' "$scratch/out"
[[ $(spooled_files) -ge 1 ]]
start_emulator "$port"
store check "$project" --playbook cb_fail.yml=
with_callback ansible-playbook -i inventory cb_noop.yml >"$scratch/out" 2>&1
cat "$scratch/out"
refute grep -q 'spooled' "$scratch/out"
[[ $(spooled_files) == 0 ]]
store check "$project" --playbook cb_fail.yml=cb1,cb2 --playbook cb_noop.yml= --active-prefix batch-=300
# nothing is delivered twice: another run leaves exactly the same alarms
store reset
with_callback ansible-playbook -i inventory cb_noop.yml
[[ $(store requests /push/events) == 0 ]]
store check "$project" --playbook cb_fail.yml=cb1,cb2
# the failing playbook again, with the service up: the same alarms are updated, not doubled
rc=0
with_callback ansible-playbook -i inventory cb_fail.yml >"$scratch/out" 2>&1 || rc=$?
[[ $rc == 2 ]]
[[ $(spooled_files) == 0 ]]
store check "$project" --playbook cb_fail.yml=cb1,cb2
echo "reliability_faults: all scenarios passed"
