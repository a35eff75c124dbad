#!/usr/bin/env bash
# Two runs of the aom_alarm callback at once, sharing one spool directory:
# 1. alpha.yml and beta.yml (overlapping hosts, distinct playbooks, so distinct alarms) run
#    together while AOM is down: both spool, nothing is lost or damaged.
# 2. AOM is back; gamma.yml and delta.yml run together, both trying to send the spool: every
#    spooled alarm is delivered exactly once (the pushes carry 16 alarms, not more), one active
#    alarm per (playbook, host), the spool is empty.
# 3. alpha and beta run together again with AOM up, healthy: every alarm is cleared, none stays.
# 4. and failing again, together: each playbook raises its own alarms once.
set -eux

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}

root=
IFS=: read -r -a collection_paths <<<"${ANSIBLE_COLLECTIONS_PATH:-${ANSIBLE_COLLECTIONS_PATHS:-}}"
for path in "${collection_paths[@]}"; do
    if [[ -n $path && -f $path/ansible_collections/huaweicloud/aom/aom_emulator/__init__.py ]]; then
        root=$path/ansible_collections/huaweicloud/aom
        break
    fi
done
scratch=$(mktemp -d "${TMPDIR:-/tmp}/reliability_concurrency.XXXXXX")
if [[ -z $root ]]; then
    root=$(cd ../../../.. && pwd)
    mkdir -p "$scratch/collections/ansible_collections/huaweicloud"
    ln -sfn "$root" "$scratch/collections/ansible_collections/huaweicloud/aom"
    export ANSIBLE_COLLECTIONS_PATH=$scratch/collections
fi
[[ -f $root/aom_emulator/__init__.py ]]

emulator_pid=
stop_emulator() {
    if [[ -n $emulator_pid ]]; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
        emulator_pid=
    fi
}
cleanup() {
    stop_emulator
    [[ -n ${KEEP_SCRATCH:-} ]] || rm -rf "$scratch"
}
trap cleanup EXIT

# start_emulator [PORT]
start_emulator() {
    rm -f "$scratch/port"
    PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} "$python" -m aom_emulator --host 127.0.0.1 --port "${1:-0}" \
        --db "$scratch/aom.db" --port-file "$scratch/port" </dev/null >>"$scratch/emulator.log" 2>&1 &
    emulator_pid=$!
    if [[ -d $root/tests/output/.tmp ]]; then echo "$emulator_pid" >>"$root/tests/output/.tmp/aom-emulator.pids"; fi
    for _ in $(seq 150); do
        [[ -s $scratch/port ]] && return 0
        kill -0 "$emulator_pid" || { cat "$scratch/emulator.log"; exit 1; }
        sleep 0.1
    done
    exit 1
}

start_emulator
port=$(cat "$scratch/port")
url=http://127.0.0.1:$port
project=0123456789abcdef0123456789abcdef
export HW_AOM_ENDPOINT=$url HW_AOM_ALLOW_HTTP=true HW_PROJECT_ID=$project
export HW_ACCESS_KEY=DEMOACCESSKEY0000000 HW_SECRET_KEY=DEMOSECRETKEYdemosecretkeydemosecretkey00
export AOM_ALARM_SPOOL_DIR=$scratch/spool AOM_ALARM_FLUSH_TIMEOUT=4 HW_AOM_REQUEST_TIMEOUT=2 HW_AOM_RETRIES=1
export ANSIBLE_CALLBACKS_ENABLED="${ANSIBLE_CALLBACKS_ENABLED:+$ANSIBLE_CALLBACKS_ENABLED,}huaweicloud.aom.aom_alarm"
# refute CMD...: fail when CMD succeeds (`! CMD` never stops a `set -e` script)
refute() {
    if "$@"; then
        echo "unexpected success: $*" >&2
        exit 1
    fi
}
store() { "$python" files/aom_store.py "$url" "$@"; }
spooled_files() { find "$scratch/spool" -name '*.json' 2>/dev/null | wc -l; }
alpha_hosts=h01,h02,h03,h04,h05,h06,h07,h08
beta_hosts=h05,h06,h07,h08,h09,h10,h11,h12

# together EXPECTED_RC PLAYBOOK... [-- ARGS]: run the playbooks at once; each must exit EXPECTED_RC
together() {
    local expected=$1 playbook pids=() names=() rc index
    shift
    local args=()
    while [[ $# -gt 0 && $1 != -- ]]; do names+=("$1"); shift; done
    [[ $# -gt 0 ]] && { shift; args=("$@"); }
    for playbook in "${names[@]}"; do
        ansible-playbook -i inventory "$playbook" "${args[@]}" >"$scratch/$playbook.out" 2>&1 &
        pids+=($!)
    done
    for index in "${!pids[@]}"; do
        rc=0
        wait "${pids[$index]}" || rc=$?
        cat "$scratch/${names[$index]}.out"
        if [[ $rc != "$expected" ]]; then
            echo "${names[$index]}: exit code $rc, expected $expected" >&2
            exit 1
        fi
        refute grep -q 'internal error' "$scratch/${names[$index]}.out"
    done
}

# 1. AOM down: both runs spool, at the same time, into one directory
stop_emulator
together 2 alpha.yml beta.yml
grep -q 'were spooled to' "$scratch/alpha.yml.out"
grep -q 'were spooled to' "$scratch/beta.yml.out"
[[ $(spooled_files) -ge 2 ]]
[[ -z $(find "$scratch/spool" -name '*.corrupt') ]]
for entry in "$scratch"/spool/*.json; do "$python" -m json.tool "$entry" >/dev/null; done

# 2. AOM back: two runs at once, each trying to deliver the spool
start_emulator "$port"
store check "$project" --playbook alpha.yml= --playbook beta.yml=
together 0 gamma.yml delta.yml
[[ $(spooled_files) == 0 ]]
store check "$project" --playbook alpha.yml=$alpha_hosts --playbook beta.yml=$beta_hosts \
    --playbook gamma.yml= --playbook delta.yml=
# exactly once: the acknowledged pushes carried each of the 16 alarms once
[[ $(store pushed report) == 16 ]]
[[ $(store pushed clear) == 0 ]]
[[ $(store requests /push/events) == $(store requests /push/events 204) ]]
# and a later run has nothing left to send
store reset
together 0 gamma.yml
[[ $(store requests /push/events) == 0 ]]

# 3. both at once with AOM up, healthy: each clears its own alarms
store reset
together 0 alpha.yml beta.yml -- -e healthy=true
[[ $(spooled_files) == 0 ]]
store check "$project" --playbook alpha.yml= --playbook beta.yml=
[[ $(store pushed clear) == 16 ]]

# 4. failing again, both at once with AOM up: one alarm per (playbook, host), delivered once
store reset
together 2 alpha.yml beta.yml
[[ $(spooled_files) == 0 ]]
store check "$project" --playbook alpha.yml=$alpha_hosts --playbook beta.yml=$beta_hosts
[[ $(store pushed report) == 16 ]]
echo "reliability_concurrency: all scenarios passed"
