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

cd "$(dirname "${BASH_SOURCE[0]}")"
source ../setup_emulator/files/emulator.sh
watcher_pid=  # the background job of step 2
aom_cleanup_hook() { [[ -z $watcher_pid ]] || kill "$watcher_pid" 2>/dev/null || true; }
aom_start_emulator
aom_demo_env
export HW_AUTH_URL=$AOM_EMULATOR_URL ANSIBLE_HOST_KEY_CHECKING=false
# refute CMD...: fail when CMD succeeds (`! CMD` never stops a `set -e` script)
refute() {
    if "$@"; then
        echo "unexpected success: $*" >&2
        exit 1
    fi
}
store() { "$AOM_PYTHON" "$AOM_STORE" "$AOM_EMULATOR_URL" "$@"; }

# 1. transient faults, within and beyond the retries
ansible-playbook -i inventory faults.yml

# 2. kill -9 and restart on the same port in the middle of a 300-alarm batch (3 pushes)
"$AOM_PYTHON" - "$AOM_SCRATCH/batch.json" <<'EOF'
import json, sys
batch = [{'event_name': 'reliability', 'resource_provider': 'ecs', 'resource_type': 'vm',
          'resource_id': 'batch-%03d' % i, 'annotations': {'n': str(i)}} for i in range(300)]
json.dump({'batch': batch}, open(sys.argv[1], 'w'))
EOF
store reset
# each push waits a second first, so the kill lands while the second one is in flight
store fault '{"delay": 1, "count": 3, "path": "/push/events", "method": "PUT"}'
(
    trap - EXIT  # the restarted emulator outlives this subshell
    store wait-push 60
    aom_stop_emulator KILL
    sleep 0.3
    aom_start_emulator "$AOM_EMULATOR_PORT"
) >"$AOM_SCRATCH/watcher.log" 2>&1 &
watcher_pid=$!
ansible-playbook -i inventory batch.yml -e "@$AOM_SCRATCH/batch.json" \
    -e "result_file=$AOM_SCRATCH/first.json"
wait "$watcher_pid" || { cat "$AOM_SCRATCH/watcher.log"; exit 1; }
watcher_pid=
cat "$AOM_SCRATCH/first.json"; echo
[[ -s $AOM_SCRATCH/emulator.pid ]]  # restarted
# what the restarted emulator received: the pushes the kill interrupted or had not reached yet
after_restart=$(store pushed report)
"$AOM_PYTHON" - "$AOM_SCRATCH/first.json" "$after_restart" <<'EOF'
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
store check "$HW_PROJECT_ID"  # whatever landed before the kill: no identity twice
ansible-playbook -i inventory batch.yml -e "@$AOM_SCRATCH/batch.json" -e "result_file=$AOM_SCRATCH/second.json"
"$AOM_PYTHON" - "$AOM_SCRATCH/first.json" "$AOM_SCRATCH/second.json" <<'EOF'
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
store check "$HW_PROJECT_ID" --active-prefix batch-=300
# and once more: nothing to do
ansible-playbook -i inventory batch.yml -e "@$AOM_SCRATCH/batch.json" -e "result_file=$AOM_SCRATCH/third.json"
"$AOM_PYTHON" -c "import json, sys; r = json.load(open(sys.argv[1])); assert r['counts'] == {'unchanged': 300} and not r['changed'], r" \
    "$AOM_SCRATCH/third.json"
store check "$HW_PROJECT_ID" --active-prefix batch-=300

# 3. the callback loses nothing across a restart of the emulator
aom_enable_callback
export AOM_ALARM_SPOOL_DIR=$AOM_SCRATCH/spool AOM_ALARM_FLUSH_TIMEOUT=3 HW_AOM_REQUEST_TIMEOUT=1 HW_AOM_RETRIES=1
spooled_files() { find "$AOM_SCRATCH/spool" -name '*.json' 2>/dev/null | wc -l; }
aom_stop_emulator KILL
rc=0
ansible-playbook -i inventory cb_fail.yml >"$AOM_SCRATCH/out" 2>&1 || rc=$?
cat "$AOM_SCRATCH/out"
[[ $rc == 2 ]]
grep -q 'were spooled to' "$AOM_SCRATCH/out"
[[ $(spooled_files) -ge 1 ]]
aom_start_emulator "$AOM_EMULATOR_PORT"
store check "$HW_PROJECT_ID" --playbook cb_fail.yml=
ansible-playbook -i inventory cb_noop.yml >"$AOM_SCRATCH/out" 2>&1
cat "$AOM_SCRATCH/out"
refute grep -q 'spooled' "$AOM_SCRATCH/out"
[[ $(spooled_files) == 0 ]]
store check "$HW_PROJECT_ID" --playbook cb_fail.yml=cb1,cb2 --playbook cb_noop.yml= --active-prefix batch-=300
# nothing is delivered twice: another run leaves exactly the same alarms
store reset
ansible-playbook -i inventory cb_noop.yml
[[ $(store requests /push/events) == 0 ]]
store check "$HW_PROJECT_ID" --playbook cb_fail.yml=cb1,cb2
# the failing playbook again, with the service up: the same alarms are updated, not doubled
rc=0
ansible-playbook -i inventory cb_fail.yml >"$AOM_SCRATCH/out" 2>&1 || rc=$?
[[ $rc == 2 ]]
[[ $(spooled_files) == 0 ]]
store check "$HW_PROJECT_ID" --playbook cb_fail.yml=cb1,cb2
echo "reliability_faults: all scenarios passed"
