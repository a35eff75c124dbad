#!/usr/bin/env bash
# Integration test of the huaweicloud.aom.deploy_guard role against the AOM emulator:
# a successful deployment, failures (the play must fail and raise the alarm with the failed
# task's name and message, never its arguments, nothing of a no_log task), and the clear by a
# fixed rerun (then, on the next run, nothing to clear).
set -eux

cd "$(dirname "${BASH_SOURCE[0]}")"
source ../setup_emulator/files/emulator.sh
aom_start_emulator
aom_demo_env
export HW_AUTH_URL=$AOM_EMULATOR_URL HW_REGION_NAME=cn-north-4

check() { "$AOM_PYTHON" check_events.py "$AOM_EMULATOR_URL" "$HW_PROJECT_ID" "$@"; }
deploy() { ansible-playbook -i inventory deploy.yml "$@"; }
# A deployment that must fail: the playbook exits non-zero, its output is kept in $AOM_SCRATCH/out.
deploy_fails() {
    if deploy "$@" >"$AOM_SCRATCH/out" 2>&1; then
        cat "$AOM_SCRATCH/out"
        echo "the deployment was expected to fail" >&2
        exit 1
    fi
    cat "$AOM_SCRATCH/out"
}

# 1. success: started and succeeded events, no alarm, nothing to clear
deploy -e service=shop -e version=1.0 -e expect_alarm=absent
check events shop 1 1
check alarm shop none

# 2. a task fails: the play fails, the alarm names the task and carries its message
deploy_fails -e service=shop -e version=1.1 -e deploy_break=fail
grep -q 'Deployment of shop 1.1 on web1 failed at task "Install the new release"' "$AOM_SCRATCH/out"
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
if grep -q nolog-secret-0002 "$AOM_SCRATCH/out"; then
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

# 8. the alarm cannot be reported (AOM answers 400 to the pushes): the failure message says so
#    and why, never "AOM alarm ... reported", and deploy_guard_result.alarm is "error"
"$AOM_PYTHON" "$AOM_STORE" "$AOM_EMULATOR_URL" fault '{"status": 400, "count": 10, "path": "/push/events", "method": "PUT"}'
ansible-playbook -i inventory deploy_rescued.yml -e service=broken -e deploy_break=fail -e deploy_guard_report_events=false \
    -e expect_alarm=error -e expect_result_message=disk.quota.exceeded \
    -e '{"expect_message": "failed at task .Install the new release.: cannot install broken-1.0: disk quota exceeded [(]the AOM alarm could not be reported: .*HTTP 400"}'
"$AOM_PYTHON" "$AOM_STORE" "$AOM_EMULATOR_URL" reset
check alarm broken none

# 9. a nested include of a missing file fails without a result to rescue: the alarm still says
#    what failed, never "unnamed task": "(no message)"
ansible-playbook -i inventory deploy_rescued.yml -e service=nested -e deploy_break=include \
    -e expect_alarm=reported -e expect_result_message='could not be included' \
    -e '{"expect_message": "failed at task .include of a tasks file.: a tasks file could not be included .* [(]AOM alarm deployment_failed reported, severity Major[)]"}'
check alarm nested active Major "include of a tasks file" \
    "a tasks file could not be included (missing, unreadable or not a valid tasks file); the error is in the output of the play"

# 10. a tasks file that does not exist is refused before anything is sent, naming deploy_guard_tasks
"$AOM_PYTHON" "$AOM_STORE" "$AOM_EMULATOR_URL" reset
if ansible-playbook -i inventory deploy.yml -e service=ghost -e expect_alarm=absent \
        -e deploy_guard_tasks=/nonexistent/deploy.yml >"$AOM_SCRATCH/out" 2>&1; then
    cat "$AOM_SCRATCH/out"
    echo "a missing tasks file was accepted" >&2
    exit 1
fi
cat "$AOM_SCRATCH/out"
grep -q 'deploy_guard_tasks: the tasks file' "$AOM_SCRATCH/out"
[[ $("$AOM_PYTHON" "$AOM_STORE" "$AOM_EMULATOR_URL" requests) == 0 ]]

# 11. a tasks file given relative to the playbook's directory is found, as include_tasks finds it
deploy -e service=relative -e expect_alarm=absent -e deploy_guard_tasks=files/deploy_tasks.yml
check events relative 1 1

# 12-14. deploy_guard_silence
source ./silence.sh
