#!/usr/bin/env bash
# The huaweicloud.aom.aom_alarm callback under ansible-runner, the engine AWX and AAP run jobs
# with (it replaces the stdout callback and adds its own environment), against the AOM emulator.
# Each job gets a fresh private data directory, as in AWX, and its connection from the
# collection's AWX credential type (run_job.py). The callback is enabled in the three ways AWX
# allows: the project's ansible.cfg, or the global extra environment variables (the credential
# type cannot: AWX refuses ANSIBLE_* variables there).
#  1. a failing job raises the alarm (enabled by the project's ansible.cfg)
#  2. a clean job clears it (enabled by the extra environment variables)
#  3. AOM down, spool_dir persistent: same status, the alarm spooled, listed in the job's
#     output and copied into its artifacts; the next job (fresh directory, AOM up) delivers it
#     exactly once, and the job after sends nothing
#  4. AOM answering 503, spool_dir inside the job's private data directory (as ~/.ansible is in
#     an execution environment): one loud warning that it will be lost; the copy in the job's
#     artifacts survives the job and is resent from another spool
set -eux

cd "$(dirname "${BASH_SOURCE[0]}")"
source ../setup_emulator/files/emulator.sh
aom_start_emulator
export AOM_ROOT AOM_EMULATOR_URL
export ANSIBLE_HOST_KEY_CHECKING=false

jobs_dir=$AOM_SCRATCH/jobs
spool=$AOM_SCRATCH/persistent/aom_alarm_spool  # a path that outlives the jobs
extra_env=(ANSIBLE_CALLBACKS_ENABLED=huaweicloud.aom.aom_alarm "AOM_ALARM_SPOOL_DIR=$spool" AOM_ALARM_FLUSH_TIMEOUT=4
    HW_AOM_ALLOW_HTTP=true)
refute() {
    if "$@"; then
        echo "unexpectedly true: $*" >&2
        exit 1
    fi
}
check() { "$AOM_PYTHON" ../callback_aom_alarm/check_alarms.py "$AOM_EMULATOR_URL" "$AOM_DEMO_PROJECT_ID" "$@"; }
# job NAME EXPECTED_RC run_job.py-args...: run a job, its output in $out, its artifact directory in $artifacts
job() {
    local name=$1 expected=$2 rc=0
    shift 2
    out=$AOM_SCRATCH/$name.out
    "$AOM_PYTHON" run_job.py "$jobs_dir" "$name" "$@" >"$out" 2>&1 || rc=$?
    cat "$out"
    [[ $rc == "$expected" ]]
    artifacts=$(sed -n 's/^JOB [a-z]* [0-9]* //p' "$out")
    [[ -d $artifacts ]]
}
count() { grep -c "$1" "$out" || true; }
# the callback said something, other than that spool_dir is on a container's own file system (where
# this test may run: then the persistent path here is not persistent, and it is right to say so)
callback_said() { grep -v 'UNDELIVERED ALARMS WILL BE LOST WITH THIS JOB' "$out" | grep -q 'huaweicloud.aom.aom_alarm callback'; }

# 1. a failing job raises the alarm; enabled in the project's ansible.cfg; ansible-runner's stdout
#    callback ran (its job events are in the artifacts)
job failing 2 deploy.yml --cfg "spool_dir = $spool" "flush_timeout = 4" "allow_http = true"
grep -q '^JOB failed 2 ' "$out"
grep -lq '"event": "playbook_on_stats"' "$artifacts"/job_events/*.json
check active h1 Major "Install the new release" "disk quota exceeded"
check none h2
check rows 1
refute callback_said

# 2. a clean job clears it; enabled by the extra environment variables
check reset
job clean 0 deploy.yml --env "${extra_env[@]}" --extra healthy=true
check cleared h1
check pushes 1
refute callback_said

# 3. AOM down: the job ends as it would without the callback, the alarm is spooled in the
#    persistent spool, listed in the job's output and copied into its artifacts
aom_stop_emulator
job outage 2 deploy.yml --env "${extra_env[@]}"
grep -q 'were spooled to' "$out"
grep -q 'not delivered to AOM in this job: raise h1 (Major, deploy.yml), clear h2 (deploy.yml)' "$out"
grep -q 'not delivered to AOM in this job' "$artifacts/stdout"
# two entries (h1's alarm; h2's clear candidate), in the spool and in the job's artifacts
[[ $(find "$spool" -name '*.json' | wc -l) == 2 ]]
[[ $(find "$artifacts/aom_alarm_undelivered" -name '*.json' | wc -l) == 2 ]]
[[ -f $artifacts/aom_alarm_undelivered/README.txt ]]
# never "inside the private data directory"; on a container's overlay root, the layer warning is right
refute grep -q 'private data directory of this ansible-runner job' "$out"
# the next job, in a fresh private data directory with AOM up, delivers it exactly once
aom_start_emulator "$AOM_EMULATOR_PORT"
check reset
job after_outage 0 noop.yml --env "${extra_env[@]}"
refute grep -q 'spooled\|not delivered' "$out"
[[ $(find "$spool" -name '*.json' | wc -l) == 0 ]]
check active h1 Major "Install the new release" "disk quota exceeded"
check rows 2
check pushes 1
check reset
job again 0 noop.yml --env "${extra_env[@]}"
check pushes 0
check rows 2

# 4. AOM answering 503 to every push, spool_dir inside the job's private data directory: one loud
#    warning at the start, the alarm listed and copied into the artifacts at the end
check fault '{"status": 503, "count": 1000, "path": "/push/events"}'
job ephemeral 2 deploy.yml --env ANSIBLE_CALLBACKS_ENABLED=huaweicloud.aom.aom_alarm AOM_ALARM_FLUSH_TIMEOUT=3 \
    HW_AOM_ALLOW_HTTP=true "AOM_ALARM_SPOOL_DIR=$jobs_dir/ephemeral/.ansible/aom_alarm_spool"
[[ $(count 'UNDELIVERED ALARMS WILL BE LOST WITH THIS JOB') == 1 ]]
grep -q 'private data directory of this ansible-runner job' "$out"
grep -q 'not delivered to AOM in this job: raise h1 (Major, deploy.yml)' "$out"
# the job's directory goes with the job; its artifacts (AWX streams them back) are what is left
copy=$AOM_SCRATCH/kept_from_artifacts
cp -r "$artifacts/aom_alarm_undelivered" "$copy"
rm -rf "$jobs_dir/ephemeral"
"$AOM_PYTHON" -c "import urllib.request; urllib.request.urlopen(urllib.request.Request('$AOM_EMULATOR_URL/_emulator/faults', method='DELETE'))"
check reset
mkdir -p "$AOM_SCRATCH/resend"
cp "$copy"/*.json "$AOM_SCRATCH/resend/"
job resend 0 noop.yml --env ANSIBLE_CALLBACKS_ENABLED=huaweicloud.aom.aom_alarm HW_AOM_ALLOW_HTTP=true \
    "AOM_ALARM_SPOOL_DIR=$AOM_SCRATCH/resend"
check pushes 1
check active h1 Major "Install the new release" "disk quota exceeded"
check rows 2
echo "callback_aom_alarm_runner: passed in ${SECONDS}s"
