#!/usr/bin/env bash
# Integration test of the huaweicloud.aom.deploy_guard role against the AOM emulator:
# a successful deployment, failures (the play must fail and raise the alarm with the failed
# task's name and message, never its arguments, nothing of a no_log task), and the clear by a
# fixed rerun (then, on the next run, nothing to clear).
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
fi
[[ -f $root/aom_emulator/__init__.py ]]

scratch=$(mktemp -d "${TMPDIR:-/tmp}/deploy_guard.XXXXXX")
emulator_pid=
cleanup() {
    if [[ -n $emulator_pid ]]; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} "$python" -m aom_emulator --host 127.0.0.1 --port 0 \
    --db "$scratch/aom.db" --port-file "$scratch/port" >"$scratch/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 100); do
    [[ -s $scratch/port ]] && break
    kill -0 "$emulator_pid" || { cat "$scratch/emulator.log"; exit 1; }
    sleep 0.2
done
url=http://127.0.0.1:$(cat "$scratch/port")

# the emulator's built-in demo account (docs/architecture.md)
project=0123456789abcdef0123456789abcdef
export HW_AOM_ENDPOINT=$url HW_AUTH_URL=$url HW_AOM_ALLOW_HTTP=true HW_REGION_NAME=cn-north-4
export HW_PROJECT_ID=$project HW_ACCESS_KEY=DEMOACCESSKEY0000000
export HW_SECRET_KEY=DEMOSECRETKEYdemosecretkeydemosecretkey00

check() { "$python" check_events.py "$url" "$project" "$@"; }
deploy() { ansible-playbook -i inventory deploy.yml "$@"; }
# A deployment that must fail: the playbook exits non-zero, its output is kept in $scratch/out.
deploy_fails() {
    if deploy "$@" >"$scratch/out" 2>&1; then
        cat "$scratch/out"
        echo "the deployment was expected to fail" >&2
        exit 1
    fi
    cat "$scratch/out"
}

# 1. success: started and succeeded events, no alarm, nothing to clear
deploy -e service=shop -e version=1.0 -e expect_alarm=absent
check events shop 1 1
check alarm shop none

# 2. a task fails: the play fails, the alarm names the task and carries its message
deploy_fails -e service=shop -e version=1.1 -e deploy_break=fail
grep -q 'Deployment of shop 1.1 on web1 failed at task "Install the new release"' "$scratch/out"
check events shop 2 1
check alarm shop active Major "Install the new release" "cannot install shop-1.1: disk quota exceeded"

# 3. a command fails: its message goes to AOM, never its arguments; the severity is configurable
deploy_fails -e service=shop -e version=1.1 -e deploy_break=command -e deploy_guard_failure_severity=Critical
check alarm shop active Critical "Restart with a token" "non-zero return code"
check absent argument-secret-0001

# 4. a no_log task fails: a fixed text instead of its message, nothing of it stored or printed
deploy_fails -e service=billing -e version=2.0 -e deploy_break=nolog
check alarm billing active Major "Write the credentials" "the output of the failed task is hidden (no_log)"
check absent nolog-secret-0002
if grep -q nolog-secret-0002 "$scratch/out"; then
    echo "the no_log secret was printed" >&2
    exit 1
fi

# 5. the fixed rerun clears this service's alarm, and only this one
deploy -e service=shop -e version=1.1 -e expect_alarm=cleared
check alarm shop cleared
check events shop 4 2
check alarm billing active Major "Write the credentials" "the output of the failed task is hidden (no_log)"

# 6. the next good run has nothing to clear (the clear is unchanged)
deploy -e service=shop -e version=1.1 -e expect_alarm=absent
check alarm shop cleared
check events shop 5 3

# 7. without events, only the alarm handling remains
deploy -e service=quiet -e expect_alarm=absent -e deploy_guard_report_events=false
check events quiet 0 0
check alarm quiet none
