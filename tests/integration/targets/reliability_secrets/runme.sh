#!/usr/bin/env bash
# No secret anywhere: aom_event (report, update, clear, check and diff modes), aom_event_info and
# the aom_alarm callback run at -vvvv with unique, known secrets (secret keys, a security token,
# a password, an IAM token, wrong ones, a no_log task's value), through retries (503), a token
# refresh (401) and refusals (wrong secret key, wrong password, revoked token). Then every output
# (stdout+stderr of each run, the ansible log), every registered result, the spool files, the
# emulator's stored events, request log, log and SQLite files are searched for each secret:
# any hit fails, naming the secret (masked) and the file.
#
# No `set -x` here: it would print the secrets in the test's own log.
set -eu

cd "$(dirname "${BASH_SOURCE[0]}")"
source ../setup_emulator/files/emulator.sh
step() { echo "=== reliability_secrets: $*"; }

aom_scratch reliability_secrets

# Unique secrets, known to this run only; the emulator learns them from a credentials file
# (the one place they are allowed to be, excluded from the search).
unique() { "$AOM_PYTHON" -c 'import secrets, sys; print(sys.argv[1] + secrets.token_hex(12))' "$1"; }
export REL_SK REL_TEMP_SK REL_SECURITY_TOKEN REL_PASSWORD REL_NOLOG REL_WRONG_SK REL_WRONG_PASSWORD REL_WRONG_TOKEN
REL_SK=$(unique SK-unique-7f3a)
REL_TEMP_SK=$(unique SKTEMP-unique-)
REL_SECURITY_TOKEN=$(unique ST-unique-)
REL_PASSWORD=$(unique PW-unique-)
REL_NOLOG=$(unique NOLOG-unique-)
REL_WRONG_SK=$(unique SKWRONG-unique-)
REL_WRONG_PASSWORD=$(unique PWWRONG-unique-)
REL_WRONG_TOKEN=MII$(unique REVOKED-unique-)
# Values HTTP cannot carry: a newline (with what would be an injected header after it), a
# character outside Latin-1. Each holds a long unique plain part for the scan to find.
export REL_NL_TOKEN REL_EURO_TOKEN REL_NL_SK
REL_NL_TOKEN="MII$(unique NLTOKEN-unique-)"$'\n'"X-Injected: $(unique tail-)"
REL_EURO_TOKEN="MII$(unique EUROTOKEN-unique-)"$'\xe2\x82\xac'"$(unique tail-)"
REL_NL_SK="$(unique NLSK-unique-)"$'\n'
export REL_USER=reliability-user REL_DOMAIN=reliability-domain
export REL_AK=RELIABILITYAK0000001 REL_TEMP_AK=RELIABILITYTEMPAK001
project=5ec2e75ec2e75ec2e75ec2e75ec2e75e
credentials=$AOM_SCRATCH/credentials.json
"$AOM_PYTHON" - "$credentials" "$project" <<'EOF'
import json, os, sys
path, project = sys.argv[1:]
env = os.environ
json.dump({'users': [{
    'domain': env['REL_DOMAIN'], 'name': env['REL_USER'], 'password': env['REL_PASSWORD'],
    'projects': {'cn-north-4': project},
    'access_keys': [{'ak': env['REL_AK'], 'sk': env['REL_SK']},
                    {'ak': env['REL_TEMP_AK'], 'sk': env['REL_TEMP_SK'], 'security_token': env['REL_SECURITY_TOKEN']}],
}]}, open(path, 'w'))
EOF
chmod 600 "$credentials"

aom_start_emulator 0 --credentials "$credentials"

# an IAM token obtained with the password: one more secret
export REL_TOKEN
REL_TOKEN=$("$AOM_PYTHON" - "$AOM_EMULATOR_URL" <<'EOF'
import json, os, sys, urllib.request
env = os.environ
body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
    'domain': {'name': env['REL_DOMAIN']}, 'name': env['REL_USER'], 'password': env['REL_PASSWORD']}}},
    'scope': {'project': {'name': 'cn-north-4'}}}}
request = urllib.request.Request(sys.argv[1] + '/v3/auth/tokens?nocatalog=true', data=json.dumps(body).encode(),
                                 headers={'Content-Type': 'application/json'}, method='POST')
with urllib.request.urlopen(request, timeout=30) as response:
    print(response.headers['X-Subject-Token'])
EOF
)
[[ $REL_TOKEN == MII* ]]

out=$AOM_SCRATCH/out  # every output and result to search
results=$AOM_SCRATCH/out/results
spool_copies=$AOM_SCRATCH/out/spool-copies
mkdir -p "$out" "$results" "$spool_copies"
export HW_AOM_ENDPOINT=$AOM_EMULATOR_URL HW_AUTH_URL=$AOM_EMULATOR_URL HW_AOM_ALLOW_HTTP=true
export HW_PROJECT_ID=$project
export HW_ACCESS_KEY=$REL_AK HW_SECRET_KEY=$REL_SK
export ANSIBLE_LOG_PATH=$out/ansible.log ANSIBLE_HOST_KEY_CHECKING=false
export AOM_ALARM_SPOOL_DIR=$AOM_SCRATCH/spool AOM_ALARM_FLUSH_TIMEOUT=5
aom_enable_callback

# run NAME EXPECTED_RC CMD...: CMD at -vvvv, stdout and stderr to $out/NAME.log
run() {
    local name=$1 expected=$2 rc=0
    shift 2
    "$@" -vvvv >"$out/$name.log" 2>&1 || rc=$?
    if [[ $rc != "$expected" ]]; then
        tail -n 80 "$out/$name.log"
        echo "$name: exit code $rc, expected $expected" >&2
        exit 1
    fi
    step "$name: exit code $rc as expected ($(wc -c <"$out/$name.log") bytes of output)"
}
fault() { curl -sf -X POST -H 'Content-Type: application/json' -d "$1" "$AOM_EMULATOR_URL/_emulator/faults" >/dev/null; }
spooled_files() { find "$AOM_SCRATCH/spool" -name '*.json' 2>/dev/null | wc -l; }

step "modules"
run modules 0 aom_without_callback ansible-playbook -i inventory modules.yml -e "results_dir=$results"
[[ $(find "$results" -name '*.json' | wc -l) == 16 ]]
# the secrets given as options did reach the modules, and were masked in their invocation
grep -q VALUE_SPECIFIED_IN_NO_LOG_PARAMETER "$out/modules.log"

step "callback: a failing playbook with a no_log task"
run callback_failing 2 ansible-playbook -i inventory failing.yml
step "callback: retried through 503 answers"
fault '{"status": 503, "count": 2}'
run callback_retried 2 ansible-playbook -i inventory failing.yml
grep -q 'reported' "$out/callback_retried.log"
step "callback: a wrong secret key (401), the alarms are spooled"
run callback_wrong_key 2 env HW_SECRET_KEY="$REL_WRONG_SK" ansible-playbook -i inventory failing.yml
grep -q 'were spooled to' "$out/callback_wrong_key.log"
[[ $(spooled_files) -ge 1 ]]
cp -p "$AOM_SCRATCH"/spool/*.json "$spool_copies/"
step "callback: IAM user/password, a token refused once mid-run, the spool is delivered"
fault '{"status": 401, "count": 1, "path": "/push/events"}'
run callback_password 0 env -u HW_ACCESS_KEY -u HW_SECRET_KEY HW_USER_NAME="$REL_USER" HW_USER_PASSWORD="$REL_PASSWORD" \
    HW_DOMAIN_NAME="$REL_DOMAIN" ansible-playbook -i inventory failing.yml -e healthy=true
[[ $(spooled_files) == 0 ]]
step "callback: an IAM token"
run callback_token 2 env -u HW_ACCESS_KEY -u HW_SECRET_KEY HW_AUTH_TOKEN="$REL_TOKEN" \
    ansible-playbook -i inventory failing.yml
step "callback: a revoked token (401), spooled"
run callback_revoked 2 env -u HW_ACCESS_KEY -u HW_SECRET_KEY HW_AUTH_TOKEN="$REL_WRONG_TOKEN" \
    ansible-playbook -i inventory failing.yml
grep -q 'were spooled to' "$out/callback_revoked.log"
cp -p "$AOM_SCRATCH"/spool/*.json "$spool_copies/"
step "callback: a token with a newline, one outside Latin-1: refused by name, never shown"
run callback_newline_token 2 env -u HW_ACCESS_KEY -u HW_SECRET_KEY HW_AUTH_TOKEN="$REL_NL_TOKEN" \
    ansible-playbook -i inventory failing.yml
grep -q 'auth_token (HW_AUTH_TOKEN) contains a line break' "$out/callback_newline_token.log"
run callback_euro_token 2 env -u HW_ACCESS_KEY -u HW_SECRET_KEY HW_AUTH_TOKEN="$REL_EURO_TOKEN" \
    ansible-playbook -i inventory failing.yml
grep -q 'auth_token (HW_AUTH_TOKEN) contains a character outside Latin-1' "$out/callback_euro_token.log"

step "callback: a secret at the end of a long failure message, sent and spooled"
# ansible-core prints the message as the playbook wrote it: this console output and log are
# kept out of the scan; the alarm stored by AOM and the spool file are scanned.
echoed=$AOM_SCRATCH/echoed
mkdir -p "$echoed"
long_run() {
    local name=$1 rc=0
    shift
    ANSIBLE_LOG_PATH=$echoed/$name.ansible.log ansible-playbook -i inventory failing.yml -e long_failure=true "$@" \
        >"$echoed/$name.log" 2>&1 || rc=$?
    [[ $rc == 2 ]] || { tail -n 40 "$echoed/$name.log"; echo "$name: exit code $rc, expected 2" >&2; exit 1; }
}
long_run callback_long_message
curl -sf "$AOM_EMULATOR_URL/_emulator/events" >"$out/emulator-events-long.json"
grep -q "$(printf 'x%.0s' {1..100})" "$out/emulator-events-long.json"  # the long message was sent
fault '{"status": 503, "count": 100}'
long_run callback_long_spooled
curl -sf -X DELETE "$AOM_EMULATOR_URL/_emulator/faults" >/dev/null
grep -q 'were spooled to' "$echoed/callback_long_spooled.log"
cp -p "$AOM_SCRATCH"/spool/*.json "$spool_copies/"

# the spool is delivered by the next healthy run (and the spool files must still be clean)
run callback_flush 0 ansible-playbook -i inventory failing.yml -e healthy=true
[[ $(spooled_files) == 0 ]]

step "what the emulator holds"
curl -sf "$AOM_EMULATOR_URL/_emulator/events" >"$out/emulator-events.json"
curl -sf "$AOM_EMULATOR_URL/_emulator/requests" >"$out/emulator-requests.json"
"$AOM_PYTHON" - "$out/emulator-events.json" "$out/emulator-requests.json" <<'EOF'
import json, sys
events = json.load(open(sys.argv[1]))['events']
requests = json.load(open(sys.argv[2]))['requests']
# what the scan is worth: the runs above really stored alarms and made authenticated requests
assert len([e for e in events if e['metadata'].get('playbook') == 'failing.yml']) >= 2, events
assert {'aksk', 'token', 'password', 'invalid'} <= {r['auth'] for r in requests}, requests
print('%d stored events, %d logged requests' % (len(events), len(requests)))
EOF
aom_stop_emulator
cp -p "$AOM_SCRATCH/emulator.log" "$out/"
for file in "$AOM_SCRATCH"/aom.db*; do
    cp -p "$file" "$out/"
    strings -a "$file" >"$out/$(basename "$file").strings"
done

step "searching $(find "$out" -type f | wc -l) files for the secrets"
secrets=(secret_key=REL_SK temporary_secret_key=REL_TEMP_SK security_token=REL_SECURITY_TOKEN
         password=REL_PASSWORD auth_token=REL_TOKEN no_log_value=REL_NOLOG wrong_secret_key=REL_WRONG_SK
         wrong_password=REL_WRONG_PASSWORD revoked_token=REL_WRONG_TOKEN newline_token=REL_NL_TOKEN
         latin1_token=REL_EURO_TOKEN newline_secret_key=REL_NL_SK)
# the search finds what is there: the credentials file holds the emulator's secrets
if "$AOM_PYTHON" files/find_secrets.py secret_key=REL_SK password=REL_PASSWORD -- "$credentials" >/dev/null; then
    echo "find_secrets.py missed the secrets in the credentials file" >&2
    exit 1
fi
"$AOM_PYTHON" files/find_secrets.py --exclude "$credentials" "${secrets[@]}" -- "$out" "$AOM_SCRATCH/spool"
step "no secret found"
