# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What huaweicloud.aom.aom_event costs against a hand-written ansible.builtin.uri PUT.

Against the local emulator (aom_emulator.process.EmulatorProcess, temporary database, free port),
with generated playbooks run by ansible-playbook (local connection, this Python as interpreter):

  (1) one aom_event task against one uri task doing the same PUT, wall time of the whole
      ansible-playbook run, median of --repeat runs each (alternating)     target ratio <= 1.3
  (2) 1,000 alarms in one aom_event task (events:) against 1,000 looped uri tasks
                                                                            target ratio <= 0.05
      and the HTTP requests the aom_event run made (emulator request log)   target <= 12
  (3) how aom_event's time and request count grow with 1, 10, 100, 1,000 and 10,000 events in
      one task (issue 6): seconds and requests per 100 events.

Both sides use the same IAM token (obtained once from the emulator's /v3/auth/tokens): uri
sends it as X-Auth-Token, aom_event gets it as auth_token. Every run reports new alarms (fresh
resource IDs), so aom_event always does its lookup plus the writes.

A 1,000-iteration uri loop takes many minutes, so by default it is timed at two smaller loop
sizes (--uri-samples, default 10 and 40) and extrapolated linearly to 1,000 (the loop's cost is
linear: one module run per item); --full-uri times the real 1,000-item loop instead. The
output says which.

    .venv/bin/python bench/module_vs_uri.py [--repeat 5] [--sizes 1,10,100,1000,10000] [--full-uri]

The collection is copied (git ls-files) into a temporary ansible_collections/huaweicloud/aom,
named by ANSIBLE_COLLECTIONS_PATH. Prints plain lines, one per figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from aom_emulator.process import EmulatorProcess  # noqa: E402

PROJECT_ID = '0123456789abcdef0123456789abcdef'  # the demo account's cn-north-4
TIMEOUT_MS = 3600000

AOM_EVENT_PLAYBOOK = '''\
- hosts: localhost
  gather_facts: false
  tasks:
    - name: report with aom_event
      huaweicloud.aom.aom_event:
        endpoint: "{{ aom_url }}"
        allow_http: true
        auth_token: "{{ aom_token }}"
        project_id: "{{ aom_project_id }}"
        events: "{{ aom_events }}"
'''

URI_PLAYBOOK = '''\
- hosts: localhost
  gather_facts: false
  tasks:
    - name: report with uri
      ansible.builtin.uri:
        url: "{{ aom_url }}/v2/{{ aom_project_id }}/push/events"
        method: PUT
        headers:
          X-Auth-Token: "{{ aom_token }}"
        body_format: json
        body:
          events:
            - starts_at: "{{ aom_starts_at }}"
              ends_at: 0
              timeout: "{{ aom_timeout }}"
              metadata:
                event_name: bench alarm
                event_severity: Major
                event_type: alarm
                resource_provider: bench
                resource_type: vm
                resource_id: "{{ aom_prefix }}-{{ item }}"
              annotations: {}
        status_code: [200, 204]
      loop: "{{ range(aom_count | int) | list }}"
'''


def copy_collection(root: Path) -> Path:
    """Copy the checkout's files (tracked + untracked, not ignored) into root/ansible_collections/huaweicloud/aom."""
    dest = root / 'ansible_collections' / 'huaweicloud' / 'aom'
    dest.mkdir(parents=True)
    listed = subprocess.run(['git', '-C', str(REPO_ROOT), 'ls-files', '-z', '-co', '--exclude-standard'],
                            check=True, capture_output=True).stdout.decode('utf-8').split('\0')
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if not source.is_file():  # deleted in the work tree
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return root


def ansible_playbook() -> str:
    beside = Path(sys.executable).parent / 'ansible-playbook'
    found = str(beside) if beside.exists() else shutil.which('ansible-playbook')
    if not found:
        sys.exit('module_vs_uri: ansible-playbook not found beside %s nor on PATH' % sys.executable)
    return found


class Bench:
    def __init__(self, workdir: Path, emulator: EmulatorProcess, token: str):
        self.workdir = workdir
        self.url = emulator.url
        self.token = token
        self.playbook = ansible_playbook()
        self.runs = 0
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(workdir / 'collections'),
                        ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='false',
                        ANSIBLE_DEPRECATION_WARNINGS='false', ANSIBLE_PYTHON_INTERPRETER=sys.executable)
        (workdir / 'aom_event.yml').write_text(AOM_EVENT_PLAYBOOK)
        (workdir / 'uri.yml').write_text(URI_PLAYBOOK)

    # -- the emulator's request log ----------------------------------------------------------

    def clear_log(self) -> None:
        requests.delete(self.url + '/_emulator/requests', timeout=10).raise_for_status()

    def logged(self) -> list[dict]:
        answer = requests.get(self.url + '/_emulator/requests', timeout=10)
        answer.raise_for_status()
        return answer.json()['requests']

    # -- runs ---------------------------------------------------------------------------------

    def _run(self, playbook: str, variables: dict) -> float:
        """Wall time of one ansible-playbook run; exits with its output when it fails."""
        self.runs += 1
        vars_file = self.workdir / ('vars-%d.json' % self.runs)
        vars_file.write_text(json.dumps(dict(variables, aom_url=self.url, aom_token=self.token,
                                             aom_project_id=PROJECT_ID)))
        command = [self.playbook, '-i', 'localhost,', '-c', 'local', '-e', '@%s' % vars_file,
                   str(self.workdir / playbook)]
        started = time.perf_counter()
        done = subprocess.run(command, env=self.env, cwd=self.workdir, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        vars_file.unlink()
        if done.returncode != 0:
            sys.exit('module_vs_uri: %s failed (rc=%d):\n%s\n%s'
                     % (playbook, done.returncode, done.stdout[-3000:], done.stderr[-3000:]))
        return elapsed

    def aom_event(self, count: int) -> tuple[float, list[dict]]:
        """Report ``count`` new alarms in one aom_event task; (seconds, the requests it made)."""
        prefix = 'm%d' % self.runs
        now = int(time.time() * 1000)
        events = [{'event_name': 'bench alarm', 'event_severity': 'Major', 'resource_provider': 'bench',
                   'resource_type': 'vm', 'resource_id': '%s-%d' % (prefix, index), 'starts_at': now,
                   'timeout': TIMEOUT_MS} for index in range(count)]
        self.clear_log()
        seconds = self._run('aom_event.yml', {'aom_events': events})
        made = self.logged()
        pushed = sum(entry['event_count'] for entry in made if entry['method'] == 'PUT' and entry['status'] == 204)
        if pushed != count:
            sys.exit('module_vs_uri: aom_event pushed %d events of %d' % (pushed, count))
        return seconds, made

    def uri(self, count: int) -> float:
        """Report ``count`` new alarms with a uri task looped ``count`` times; seconds."""
        self.clear_log()
        seconds = self._run('uri.yml', {'aom_count': count, 'aom_prefix': 'u%d' % self.runs,
                                        'aom_starts_at': int(time.time() * 1000), 'aom_timeout': TIMEOUT_MS})
        puts = [entry for entry in self.logged() if entry['method'] == 'PUT' and entry['status'] == 204]
        if len(puts) != count:
            sys.exit('module_vs_uri: the uri loop made %d successful PUTs of %d' % (len(puts), count))
        return seconds


def one_event(bench: Bench, repeat: int) -> None:
    module_times, uri_times = [], []
    bench.aom_event(1)  # warm-up: first runs pay for cold caches (pyc, AnsiballZ)
    bench.uri(1)
    for index in range(repeat):
        # alternate the order, so that a drift in the machine's load hits both sides alike
        if index % 2:
            uri_times.append(bench.uri(1))
            module_times.append(bench.aom_event(1)[0])
        else:
            module_times.append(bench.aom_event(1)[0])
            uri_times.append(bench.uri(1))
    module_s, uri_s = statistics.median(module_times), statistics.median(uri_times)
    print('aom_event vs uri (1 event): aom_event=%.2fs uri=%.2fs ratio=%.2f (target <= 1.3) '
          '[median of %d ansible-playbook runs each; token auth for both; aom_event makes 2 requests '
          '(lookup + PUT), uri 1]' % (module_s, uri_s, module_s / uri_s, repeat), flush=True)


def thousand_events(bench: Bench, repeat: int, uri_samples: list[int], full_uri: bool) -> None:
    runs = [bench.aom_event(1000) for _index in range(max(1, min(repeat, 3)))]
    module_s = statistics.median(seconds for seconds, _made in runs)
    request_counts = [len(made) for _seconds, made in runs]
    if full_uri:
        uri_s = bench.uri(1000)
        how = 'measured: one run of the 1,000-item loop'
    else:
        small, large = uri_samples
        small_s, large_s = bench.uri(small), bench.uri(large)
        per_item = (large_s - small_s) / (large - small)
        uri_s = small_s + per_item * (1000 - small)
        how = ('extrapolated linearly from %d-item (%.1fs) and %d-item (%.1fs) loops: %.3fs per item; '
               '--full-uri measures it' % (small, small_s, large, large_s, per_item))
    print('aom_event vs uri (1,000 events): aom_event=%.2fs uri=%.1fs ratio=%.4f (target <= 0.05) '
          '[aom_event: median of %d runs of one task with events:; uri: %s]'
          % (module_s, uri_s, module_s / uri_s, len(runs), how), flush=True)
    last = runs[-1][1]
    kinds = '%d list + %d PUT' % (sum(1 for e in last if e['method'] == 'POST'),
                                  sum(1 for e in last if e['method'] == 'PUT'))
    print('aom_event HTTP requests for 1,000 events in one task: %d (target <= 12) [%s; runs: %s]'
          % (request_counts[-1], kinds, ', '.join(map(str, request_counts))), flush=True)


def scaling(bench: Bench, sizes: list[int]) -> None:
    for size in sizes:
        seconds, made = bench.aom_event(size)
        per_100 = len(made) * 100.0 / size
        print('aom_event scaling: events=%d seconds=%.2f requests=%d requests_per_100_events=%.2f '
              'seconds_per_100_events=%.3f' % (size, seconds, len(made), per_100, seconds * 100.0 / size), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--repeat', type=int, default=5, help='runs per side for the 1-event figure (median)')
    parser.add_argument('--uri-samples', default='10,40', help='two uri loop sizes to extrapolate 1,000 from')
    parser.add_argument('--full-uri', action='store_true', help='time the real 1,000-item uri loop (minutes)')
    parser.add_argument('--sizes', default='1,10,100,1000,10000', help='batch sizes for the scaling figures')
    args = parser.parse_args()
    uri_samples = [int(n) for n in args.uri_samples.split(',')]
    if len(uri_samples) != 2 or not 0 < uri_samples[0] < uri_samples[1] < 1000:
        parser.error('--uri-samples takes two increasing sizes below 1000, e.g. 10,40')
    sizes = [int(n) for n in args.sizes.split(',') if n]

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix='aom-bench-uri-') as tmp:
        workdir = Path(tmp)
        copy_collection(workdir / 'collections')
        with EmulatorProcess(workdir / 'aom.db') as emulator:
            bench = Bench(workdir, emulator, emulator.demo_token())
            one_event(bench, args.repeat)
            thousand_events(bench, args.repeat, uri_samples, args.full_uri)
            scaling(bench, sizes)
    print('module_vs_uri: done in %.0fs (%d ansible-playbook runs)' % (time.perf_counter() - started, bench.runs))
    return 0


if __name__ == '__main__':
    sys.exit(main())
