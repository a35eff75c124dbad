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

cd "$(dirname "${BASH_SOURCE[0]}")"
source ../setup_emulator/files/emulator.sh
aom_start_emulator
aom_demo_env
export AOM_ALARM_SPOOL_DIR=$AOM_SCRATCH/spool AOM_ALARM_FLUSH_TIMEOUT=4 HW_AOM_REQUEST_TIMEOUT=2 HW_AOM_RETRIES=1
aom_enable_callback
# refute CMD...: fail when CMD succeeds (`! CMD` never stops a `set -e` script)
refute() {
    if "$@"; then
        echo "unexpected success: $*" >&2
        exit 1
    fi
}
store() { "$AOM_PYTHON" "$AOM_STORE" "$AOM_EMULATOR_URL" "$@"; }
spooled_files() { find "$AOM_SCRATCH/spool" -name '*.json' 2>/dev/null | wc -l; }
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
        ansible-playbook -i inventory "$playbook" "${args[@]}" >"$AOM_SCRATCH/$playbook.out" 2>&1 &
        pids+=($!)
    done
    for index in "${!pids[@]}"; do
        rc=0
        wait "${pids[$index]}" || rc=$?
        cat "$AOM_SCRATCH/${names[$index]}.out"
        if [[ $rc != "$expected" ]]; then
            echo "${names[$index]}: exit code $rc, expected $expected" >&2
            exit 1
        fi
        refute grep -q 'internal error' "$AOM_SCRATCH/${names[$index]}.out"
    done
}

# 1. AOM down: both runs spool, at the same time, into one directory
aom_stop_emulator
together 2 alpha.yml beta.yml
grep -q 'were spooled to' "$AOM_SCRATCH/alpha.yml.out"
grep -q 'were spooled to' "$AOM_SCRATCH/beta.yml.out"
[[ $(spooled_files) -ge 2 ]]
[[ -z $(find "$AOM_SCRATCH/spool" -name '*.corrupt') ]]
for entry in "$AOM_SCRATCH"/spool/*.json; do "$AOM_PYTHON" -m json.tool "$entry" >/dev/null; done

# 2. AOM back: two runs at once, each trying to deliver the spool
aom_start_emulator "$AOM_EMULATOR_PORT"
store check "$HW_PROJECT_ID" --playbook alpha.yml= --playbook beta.yml=
together 0 gamma.yml delta.yml
[[ $(spooled_files) == 0 ]]
store check "$HW_PROJECT_ID" --playbook alpha.yml=$alpha_hosts --playbook beta.yml=$beta_hosts \
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
store check "$HW_PROJECT_ID" --playbook alpha.yml= --playbook beta.yml=
[[ $(store pushed clear) == 16 ]]

# 4. failing again, both at once with AOM up: one alarm per (playbook, host), delivered once
store reset
together 2 alpha.yml beta.yml
[[ $(spooled_files) == 0 ]]
store check "$HW_PROJECT_ID" --playbook alpha.yml=$alpha_hosts --playbook beta.yml=$beta_hosts
[[ $(store pushed report) == 16 ]]
echo "reliability_concurrency: all scenarios passed"
