#!/usr/bin/env bash
# Integration test of the huaweicloud.aom.aom_alarm callback against the AOM emulator:
# one alarm per failed host (Critical when unreachable), none for ignore_errors or a rescued
# failure, the clear by a healthy rerun, nothing in check mode, the spool when the service is
# down (same exit code and recap, bounded wait, delivered once later), retries through 503s,
# and no secret anywhere.
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
if [[ -z $root ]]; then
    root=$(cd ../../../.. && pwd)
    # run from a checkout: make the collection importable for ansible-playbook
    mkdir -p "${TMPDIR:-/tmp}/callback_aom_alarm_collections/ansible_collections/huaweicloud"
    ln -sfn "$root" "${TMPDIR:-/tmp}/callback_aom_alarm_collections/ansible_collections/huaweicloud/aom"
    export ANSIBLE_COLLECTIONS_PATH=${TMPDIR:-/tmp}/callback_aom_alarm_collections
fi
[[ -f $root/aom_emulator/__init__.py ]]

scratch=$(mktemp -d "${TMPDIR:-/tmp}/callback_aom_alarm.XXXXXX")
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

# start_emulator [PORT]: on PORT (to come back where the callback expects it), else any free one
start_emulator() {
    rm -f "$scratch/port"
    PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} "$python" -m aom_emulator --host 127.0.0.1 --port "${1:-0}" \
        --db "$scratch/aom.db" --port-file "$scratch/port" >>"$scratch/emulator.log" 2>&1 &
    emulator_pid=$!
    for _ in $(seq 100); do
        [[ -s $scratch/port ]] && return 0
        kill -0 "$emulator_pid" || { cat "$scratch/emulator.log"; exit 1; }
        sleep 0.2
    done
    exit 1
}

start_emulator
port=$(cat "$scratch/port")
url=http://127.0.0.1:$port

# the emulator's built-in demo account (docs/architecture.md)
project=0123456789abcdef0123456789abcdef
secret_key=DEMOSECRETKEYdemosecretkeydemosecretkey00
export HW_AOM_ENDPOINT=$url HW_AOM_ALLOW_HTTP=true HW_PROJECT_ID=$project
export HW_ACCESS_KEY=DEMOACCESSKEY0000000 HW_SECRET_KEY=$secret_key
export AOM_ALARM_SPOOL_DIR=$scratch/spool AOM_ALARM_FLUSH_TIMEOUT=4
export ANSIBLE_HOST_KEY_CHECKING=false
callbacks_without=${ANSIBLE_CALLBACKS_ENABLED:-}
# ansible-test already enables junit: add ours
export ANSIBLE_CALLBACKS_ENABLED="${ANSIBLE_CALLBACKS_ENABLED:+$ANSIBLE_CALLBACKS_ENABLED,}huaweicloud.aom.aom_alarm"

# without_callback CMD...: CMD with the callbacks ansible-test enabled, not ours
without_callback() {
    if [[ -n $callbacks_without ]]; then
        ANSIBLE_CALLBACKS_ENABLED=$callbacks_without "$@"
    else
        env -u ANSIBLE_CALLBACKS_ENABLED "$@"
    fi
}
# refute CMD...: fail when CMD succeeds (a bare `! CMD` would not stop `set -e`)
refute() {
    if "$@"; then
        echo "unexpectedly true: $*" >&2
        exit 1
    fi
}
check() { "$python" check_alarms.py "$url" "$project" "$@"; }
# play_fails PLAYBOOK [args]: a run that must fail (2: failed hosts, 4: unreachable ones); output in $scratch/out
play_fails() {
    local rc=0
    ansible-playbook -i inventory "$@" >"$scratch/out" 2>&1 || rc=$?
    cat "$scratch/out"
    [[ $rc == 2 || $rc == 4 ]]
}
recap() { sed -n '/PLAY RECAP/,$p' "$1" | grep -E '^[a-z0-9]+ +:' || true; }
spooled_files() { find "$scratch/spool" -name '*.json' 2>/dev/null | wc -l; }

# 1. a failing run: one alarm per failed host, with what failed; none for ignore_errors or rescue
play_fails deploy.yml
check active h1 Major "Install the new release" "cannot install shop-1.1 on h1: disk quota exceeded"
check active h4 Major "Install packages" "non-zero return code"
check active h5 Major "Use the vault token" "the output has been hidden due to no_log"
check active down1 Critical "Prepare" "Connection refused"
check none h2
check none h3
check none h6
check rows 4
check absent argument-secret-0001
check absent s3cr3t-no-log-value
check absent "$secret_key"
check absent "$HW_ACCESS_KEY"

# 2. a healthy rerun of the web hosts clears theirs with one lookup and one clear push
check reset
ansible-playbook -i inventory deploy.yml -e healthy=true --limit web
check cleared h1
check cleared h4
check cleared h5
check active down1 Critical "Prepare" "Connection refused"
check rows 4
check requests 2
check pushes 1
# and the next healthy run has nothing left to clear
check reset
ansible-playbook -i inventory deploy.yml -e healthy=true --limit web
check requests 1
check pushes 0

# 3. check mode sends nothing
check reset
play_fails deploy.yml --check
check requests 0
check rows 4

# 4. the service is down: same exit code and recap as without the callback, a bounded wait,
#    the alarms spooled, and delivered exactly once by the next run
stop_emulator
start=$(date +%s.%N)
rc_without=0
without_callback ansible-playbook -i inventory deploy.yml >"$scratch/out_without" 2>&1 || rc_without=$?
middle=$(date +%s.%N)
rc_with=0
ansible-playbook -i inventory deploy.yml >"$scratch/out_with" 2>&1 || rc_with=$?
end=$(date +%s.%N)
cat "$scratch/out_with"
[[ $rc_with == "$rc_without" && $rc_with == 4 ]]
diff <(recap "$scratch/out_without") <(recap "$scratch/out_with")
[[ -n $(recap "$scratch/out_with") ]]
"$python" -c "import sys; without, with_ = $middle - $start, $end - $middle; print('without=%.1fs with=%.1fs' % (without, with_)); sys.exit(with_ > without + 4 + 2)"
grep -q 'were spooled to' "$scratch/out_with"
[[ $(spooled_files) -ge 1 ]]
[[ $(stat -c %a "$scratch/spool") == 700 ]]
for file in "$scratch"/spool/*.json; do
    [[ $(stat -c %a "$file") == 600 ]]
    refute grep -qF "$secret_key" "$file"
done

start_emulator "$port"
check reset
ansible-playbook -i inventory noop.yml >"$scratch/out" 2>&1
cat "$scratch/out"
refute grep -q 'spooled' "$scratch/out"
[[ $(spooled_files) == 0 ]]
# h1, h4 and h5 were cleared in step 2: the spooled run raised them again, once each
check active h1 Major "Install the new release" "disk quota exceeded"
check active h4 Major "Install packages" "non-zero return code"
check active h5 Major "Use the vault token" "hidden due to no_log"
check active down1 Critical "Prepare" "Connection refused"
check rows 7
check reset
ansible-playbook -i inventory noop.yml
check pushes 0
check rows 7

# 5. the service answers 503 twice: the retries deliver, nothing is spooled
ansible-playbook -i inventory deploy.yml -e healthy=true --limit web
check cleared h1
check reset
check fault '{"status": 503, "count": 2}'
play_fails deploy.yml
refute grep -q 'spooled' "$scratch/out"
[[ $(spooled_files) == 0 ]]
check requests 2 503
check active h1 Major "Install the new release" "disk quota exceeded"
check rows 10

# 6. no secret in -vvv output nor in AOM
play_fails deploy.yml -vvv
refute grep -qF s3cr3t-no-log-value "$scratch/out"
refute grep -qF "$secret_key" "$scratch/out"
check absent s3cr3t-no-log-value
check absent argument-secret-0001
check absent "$secret_key"

# 7. incomplete settings: one warning naming what is missing, and the run is untouched
rc=0
env -u HW_ACCESS_KEY -u HW_SECRET_KEY ansible-playbook -i inventory noop.yml >"$scratch/out" 2>&1 || rc=$?
cat "$scratch/out"
[[ $rc == 0 ]]
[[ $(grep -c 'aom_alarm callback disabled' "$scratch/out") == 1 ]]
grep -q 'access_key' "$scratch/out"
