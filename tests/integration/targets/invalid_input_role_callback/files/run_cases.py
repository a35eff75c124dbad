# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the table of malformed inputs of runme.sh: one ansible-playbook per case, then its checks.

    python run_cases.py role TABLE
    python run_cases.py callback TABLE BASELINE_OUTPUT BASELINE_RC

The tables (cases_role.yml, cases_callback.yml) say what each case sets and asserts. The emulator
runs already (AOM_EMULATOR_URL); its request log is reset before each case and read after it with
AOM_STORE (setup_emulator/files/aom_store.py). Work files go to AOM_SCRATCH. Prints one line per
case and exits 1 when a case failed, or when a known defect no longer shows.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.dirname(HERE)
SCRATCH = os.environ['AOM_SCRATCH']
URL = os.environ['AOM_EMULATOR_URL']
STORE = os.environ['AOM_STORE']
DEMO_SECRET = os.environ['AOM_DEMO_SECRET_KEY']
CALLBACK = 'huaweicloud.aom.aom_alarm'

# stage of a role case -> the task whose fatal result must name the field
ROLE_STAGE_TASKS = {
    'argspec': 'Validating arguments against arg spec',
    'check': 'Check the variables before sending anything',
    'aom_event': 'Report that the deployment started',
    'clear': 'Clear the deployment-failure alarm of this service',
    'alarm': 'Fail because the deployment failed',
    'any': '',
}


def expand(value):
    """Table values: {$repeat: [TEXT, N]} and {$keys: N} are made here; {scratch} is AOM_SCRATCH."""
    if isinstance(value, dict) and list(value) == ['$repeat']:
        text, count = value['$repeat']
        return str(text) * int(count)
    if isinstance(value, dict) and list(value) == ['$keys']:
        return dict(('key%02d' % index, 'value') for index in range(int(value['$keys'])))
    if isinstance(value, dict):
        return dict((key, expand(item)) for key, item in value.items())
    if isinstance(value, list):
        return [expand(item) for item in value]
    if isinstance(value, str):
        return value.replace('{scratch}', SCRATCH)
    return value


def store(*args):
    return subprocess.run([sys.executable, STORE, URL] + list(args), check=True, capture_output=True, text=True).stdout


def playbook(args, env, output):
    """Run ansible-playbook from the target directory; its exit code, and its output in ``output``."""
    with open(output, 'w', encoding='utf-8') as handle:
        return subprocess.run(['ansible-playbook', '-i', 'inventory'] + args, cwd=TARGET, env=env,
                              stdout=handle, stderr=subprocess.STDOUT, check=False).returncode


def read(path):
    with open(path, encoding='utf-8', errors='replace') as handle:
        return handle.read()


def recap(text):
    return [line.rstrip() for line in text.partition('PLAY RECAP')[2].splitlines() if re.match(r'^\S+\s+: ', line)]


def warnings(text):
    return [line for line in text.splitlines() if line.startswith('[WARNING]:')]


def fatal_results(text):
    """(task header, fatal line) of each failed result, in order."""
    task, found = '', []
    for line in text.splitlines():
        if line.startswith('TASK ['):
            task = line
        elif line.startswith('fatal: '):
            found.append((task, line))
    return found


def expectations(case):
    expect = case['expect']
    return expect if isinstance(expect, list) else [expect]


def request_problems(log):
    """What the request log shows was sent; 2xx PUTs (accepted pushes) are named as such."""
    if not log:
        return []
    accepted = [entry for entry in log if entry['method'] == 'PUT' and 200 <= entry['status'] < 300]
    summary = ', '.join('%s %s' % (entry['method'], entry['status']) for entry in log)
    return ['%d request(s) sent (%s)%s' % (len(log), summary,
                                           '; %d push(es) ACCEPTED' % len(accepted) if accepted else '')]


def common_problems(case, text):
    problems = []
    if 'Traceback' in text:
        problems.append('a Traceback in the output')
    for secret in (DEMO_SECRET, case.get('secret')):
        if secret and secret in text:
            problems.append('the secret %r is in the output' % secret[:4])
    return problems


def run_role_case(case, index):
    variables = {
        'deploy_guard_tasks': os.path.join(HERE, 'deploy_%s.yml' % case.get('deploy', 'ok')),
        'deploy_guard_service': 'shop',
    }
    variables.update(expand(case.get('vars') or {}))
    for name in case.get('unset') or []:
        variables.pop(name, None)
    vars_file = os.path.join(SCRATCH, 'role-%02d.json' % index)
    with open(vars_file, 'w', encoding='utf-8') as handle:
        json.dump(variables, handle)
    output = os.path.join(SCRATCH, 'role-%02d.out' % index)
    rc = playbook(['role.yml', '-e', '@' + vars_file], dict(os.environ), output)
    text = read(output)
    problems = []
    if rc != 2:
        problems.append('exit code %d, expected 2 (the play fails)' % rc)
    task = ROLE_STAGE_TASKS[case['stage']]
    lines = [line for header, line in fatal_results(text) if task in header]
    if not lines:
        problems.append('no fatal result of the task %r' % (task or 'any'))
    for pattern in expectations(case):
        if lines and not any(re.search(pattern, line) for line in lines):
            problems.append('no fatal result matches %r: %s' % (pattern, ' | '.join(line[:300] for line in lines)))
    problems += common_problems(case, text)
    problems += request_problems(json.loads(store('log')))
    return problems, output


def callback_env(case, index):
    env = dict(os.environ)
    env['AOM_ALARM_SPOOL_DIR'] = os.path.join(SCRATCH, 'spool-%02d' % index)
    for name in case.get('unset') or []:
        env.pop(name, None)
    env.update(expand(case.get('env') or {}))
    if case.get('ini'):
        config = os.path.join(SCRATCH, 'ansible-%02d.cfg' % index)
        base = os.environ.get('ANSIBLE_CONFIG')
        text = read(base) + '\n' if base and os.path.isfile(base) else ''
        text += '[callback_aom_alarm]\n' + ''.join('%s = %s\n' % item for item in expand(case['ini']).items())
        with open(config, 'w', encoding='utf-8') as handle:
            handle.write(text)
        env['ANSIBLE_CONFIG'] = config
    return env


def run_callback_case(case, index, baseline_text, baseline_rc):
    output = os.path.join(SCRATCH, 'callback-%02d.out' % index)
    rc = playbook(['failing.yml'], callback_env(case, index), output)
    text = read(output)
    problems = []
    if rc != baseline_rc:
        problems.append('exit code %d, %d without the callback' % (rc, baseline_rc))
    if recap(text) != recap(baseline_text) or not recap(text):
        problems.append('recap %s, without the callback %s' % (recap(text), recap(baseline_text)))
    ours = [line for line in warnings(text) if 'aom_alarm' in line]
    if len(ours) != 1 or len(warnings(text)) != len(warnings(baseline_text)) + 1:
        problems.append('%d warning(s) of the callback and %d in all (%d without it), expected one more: %s'
                        % (len(ours), len(warnings(text)), len(warnings(baseline_text)),
                           ' | '.join(line[:300] for line in ours)))
    for pattern in expectations(case):
        if not any(re.search(pattern, line) for line in ours):
            problems.append('no warning of the callback matches %r' % pattern)
    problems += common_problems(case, text)
    problems += request_problems(json.loads(store('log')))
    return problems, output


def main():
    kind, table = sys.argv[1], sys.argv[2]
    with open(table, encoding='utf-8') as handle:
        cases = yaml.safe_load(handle)['%s_cases' % kind]
    ids = [case['id'] for case in cases]
    if len(set(ids)) != len(ids):
        sys.exit('duplicate case ids in %s' % table)
    if kind == 'callback':
        baseline_text, baseline_rc = read(sys.argv[3]), int(sys.argv[4])
        if baseline_rc != 2 or not recap(baseline_text):
            sys.exit('the baseline run without the callback should fail with a recap (exit code %d)' % baseline_rc)
    counts = dict(passed=0, failed=0, known=0)
    started = time.monotonic()
    for index, case in enumerate(cases):
        store('reset')
        begin = time.monotonic()
        if kind == 'role':
            problems, output = run_role_case(case, index)
        else:
            problems, output = run_callback_case(case, index, baseline_text, baseline_rc)
        took = time.monotonic() - begin
        label = '%s case %-45s %4.1fs' % (kind, case['id'], took)
        if case.get('known_defect') and problems:
            counts['known'] += 1
            print('KNOWN DEFECT %s: %s\n    observed: %s' % (label, case['known_defect'], '; '.join(problems)))
        elif case.get('known_defect'):
            counts['failed'] += 1
            print('FIXED?       %s: passes every check now; remove its known_defect mark' % label)
        elif problems:
            counts['failed'] += 1
            print('FAIL         %s: %s\n    output %s:' % (label, '; '.join(problems), output))
            print('    ' + read(output)[-4000:].replace('\n', '\n    '))
        else:
            counts['passed'] += 1
            print('ok           %s' % label)
        sys.stdout.flush()
    print('%s cases: %d passed, %d failed, %d known defects (%d in all, %.0fs)'
          % (kind, counts['passed'], counts['failed'], counts['known'], len(cases), time.monotonic() - started))
    sys.exit(1 if counts['failed'] else 0)


if __name__ == '__main__':
    main()
