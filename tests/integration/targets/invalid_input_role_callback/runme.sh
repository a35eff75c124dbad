#!/usr/bin/env bash
# Issue 6: table-driven malformed inputs of the deploy_guard role (cases_role.yml) and of the
# aom_alarm callback's options (cases_callback.yml), against the AOM emulator. Each case is one
# ansible-playbook run; files/run_cases.py loops over a table and checks each case (the tables
# say what is asserted). Nothing may reach the emulator: its request log is read after each case.
set -eux

cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=../setup_emulator/files/emulator.sh
source ../setup_emulator/files/emulator.sh
aom_scratch invalid_input_role_callback
aom_collection_root
aom_start_emulator
aom_demo_env
export AOM_SCRATCH AOM_EMULATOR_URL
# a mistake must not make a case wait long: the callback gives up sending after 4 s
export AOM_ALARM_FLUSH_TIMEOUT=4
touch "$AOM_SCRATCH/a-file"  # for the spool_dir cases

# the role, without the callback
role_rc=0
"$AOM_PYTHON" files/run_cases.py role cases_role.yml || role_rc=$?

# the callback: the same failing playbook once without it, for its exit code and recap
aom_enable_callback
baseline_rc=0
aom_without_callback ansible-playbook -i inventory failing.yml >"$AOM_SCRATCH/baseline.out" 2>&1 || baseline_rc=$?
cat "$AOM_SCRATCH/baseline.out"
callback_rc=0
"$AOM_PYTHON" files/run_cases.py callback cases_callback.yml "$AOM_SCRATCH/baseline.out" "$baseline_rc" || callback_rc=$?
[[ $role_rc == 0 && $callback_rc == 0 ]]
