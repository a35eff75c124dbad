#!/usr/bin/env bash
# Integration test of the huaweicloud.aom.deploy_guard role against the AOM emulator:
# a successful deployment, failures (the play must fail and raise the alarm with the failed
# task's name and message, never its arguments, nothing of a no_log task), and the clear by a
# fixed rerun (then, on the next run, nothing to clear). Then AOM failing (12: 503 to every
# request, 13: the emulator stopped): by default (deploy_guard_aom_errors=warn) a good deployment
# succeeds with a warning and deploy_guard_result.unsent says what AOM was not told; with
# deploy_guard_aom_errors=fail it fails; a failed deployment fails with its own error either way.
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

# The warnings of the role in the output kept in $AOM_SCRATCH/out.
guard_warnings() { grep -c '^\[WARNING\]: deploy_guard' "$AOM_SCRATCH/out" || true; }

# 1. success: started and succeeded events, no alarm, nothing to clear, no warning
deploy -e service=shop -e version=1.0 -e expect_alarm=absent >"$AOM_SCRATCH/out" 2>&1 || { cat "$AOM_SCRATCH/out"; exit 1; }
cat "$AOM_SCRATCH/out"
[[ $(guard_warnings) == 0 ]]
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

# deploy_guard_silence (its steps 12-14), while AOM is still up
source ./silence.sh

# AOM fails: deploy_aom_errors.yml deploys on web1 (succeeds) and web2 (fails), and checks what
# happened on each host against "expect" (see that file). No request is retried, to keep it short.
export HW_AOM_RETRIES=0
# aom_down_deploy SERVICE EXPECT_JSON [ARGS...]: the output is kept in $AOM_SCRATCH/out; it never
# holds the secret key
aom_down_deploy() {
    local service=$1 expect=$2
    shift 2
    ansible-playbook -i inventory deploy_aom_errors.yml -e "service=$service" -e "{\"expect\": $expect}" "$@" \
        >"$AOM_SCRATCH/out" 2>&1 || { cat "$AOM_SCRATCH/out"; exit 1; }
    cat "$AOM_SCRATCH/out"
    if grep -qF "$HW_SECRET_KEY" "$AOM_SCRATCH/out"; then
        echo "the secret key was printed" >&2
        exit 1
    fi
}
# expectations: web1's good deployment and web2's failed one ("failed at task ..." names the
# deployment's failed task and message, whatever happened to the alarm)
deployment_error() { echo "failed at task .Install the new release.: cannot install $1-1.0: disk quota exceeded [(]the AOM alarm could not be reported: .*$2"; }
started=deployment\ started/reported succeeded=deployment\ succeeded/reported
alarm=deployment_failed/reported clear=deployment_failed/cleared

# 12. AOM answers 503 to every request
store() { "$AOM_PYTHON" "$AOM_STORE" "$AOM_EMULATOR_URL" "$@"; }
store fault '{"status": 503, "count": 100000, "path": "/v2/"}'
# 12a. warn (the default): web1 succeeds, with a warning, and web2 fails with the deployment's error
aom_down_deploy down503 "{
    \"web1\": {\"error\": \"\", \"deployed\": true, \"outcome\": \"succeeded\", \"alarm\": \"error\",
               \"unsent\": [\"$started\", \"$succeeded\", \"$clear\"], \"unsent_error\": \"HTTP 503\"},
    \"web2\": {\"error\": \"$(deployment_error down503 'HTTP 503')\", \"deployed\": true, \"outcome\": \"failed\",
               \"alarm\": \"error\", \"unsent\": [\"$started\", \"$alarm\"], \"unsent_error\": \"HTTP 503\"}}"
[[ $(guard_warnings) == 2 ]]
grep '^\[WARNING\]: deploy_guard' "$AOM_SCRATCH/out" | grep -q 'HTTP 503'
# 12b. deploy_guard_aom_errors=fail: the "deployment started" event fails both hosts, nothing is deployed
aom_down_deploy strict503 '{
    "web1": {"error": "AOM .* failed: HTTP 503", "deployed": false, "outcome": ""},
    "web2": {"error": "AOM .* failed: HTTP 503", "deployed": false, "outcome": ""}}' \
    -e deploy_guard_aom_errors=fail
[[ $(guard_warnings) == 0 ]]
# 12c. without the events, warn: web1 succeeds although the clear fails
aom_down_deploy quiet503 "{
    \"web1\": {\"error\": \"\", \"deployed\": true, \"outcome\": \"succeeded\", \"alarm\": \"error\",
               \"unsent\": [\"$clear\"], \"unsent_error\": \"HTTP 503\"},
    \"web2\": {\"error\": \"$(deployment_error quiet503 'HTTP 503')\", \"deployed\": true, \"outcome\": \"failed\",
               \"alarm\": \"error\", \"unsent\": [\"$alarm\"], \"unsent_error\": \"HTTP 503\"}}" \
    -e deploy_guard_report_events=false
[[ $(guard_warnings) == 2 ]]
# 12d. without the events, fail: web1 fails at the clear; web2 still fails with the deployment's error
aom_down_deploy strictquiet503 "{
    \"web1\": {\"error\": \"AOM .* failed: HTTP 503\", \"deployed\": true, \"outcome\": \"\"},
    \"web2\": {\"error\": \"$(deployment_error strictquiet503 'HTTP 503')\", \"deployed\": true, \"outcome\": \"failed\",
               \"alarm\": \"error\", \"unsent\": [\"$alarm\"], \"unsent_error\": \"HTTP 503\"}}" \
    -e deploy_guard_report_events=false -e deploy_guard_aom_errors=fail
[[ $(guard_warnings) == 0 ]]
store reset
check alarm down503 none
check alarm quiet503 none

# 13. the emulator is stopped: nothing answers
aom_stop_emulator
aom_down_deploy down "{
    \"web1\": {\"error\": \"\", \"deployed\": true, \"outcome\": \"succeeded\", \"alarm\": \"error\",
               \"unsent\": [\"$started\", \"$succeeded\", \"$clear\"], \"unsent_error\": \"could not reach\"},
    \"web2\": {\"error\": \"$(deployment_error down 'could not reach')\", \"deployed\": true, \"outcome\": \"failed\",
               \"alarm\": \"error\", \"unsent\": [\"$started\", \"$alarm\"], \"unsent_error\": \"could not reach\"}}"
[[ $(guard_warnings) == 2 ]]
aom_down_deploy strictdown '{
    "web1": {"error": "could not reach", "deployed": false, "outcome": ""},
    "web2": {"error": "could not reach", "deployed": false, "outcome": ""}}' \
    -e deploy_guard_aom_errors=fail
[[ $(guard_warnings) == 0 ]]
echo "role_deploy_guard: all scenarios passed"
