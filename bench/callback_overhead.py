# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the huaweicloud.aom.aom_alarm callback costs a playbook run, against the local emulator.

A generated playbook of 50 local hosts x 20 tasks, 10% of the hosts failing halfway, is timed
without the callback and with it, for:
  (a) a healthy emulator                                 target ratio <= 1.05
  (b) an emulator answering every request after 2 s     target ratio <= 1.10, nothing lost
  (c) the emulator stopped                              target ratio <= 1.10, everything spooled
and 500 hosts failing in one task are counted in push requests (target <= 5).

    .venv/bin/python bench/callback_overhead.py [--repeat N]

Each timing is the best of N runs (default 2), runs without and with the callback alternating. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT = '0123456789abcdef0123456789abcdef'
HOSTS, TASKS, FAILING_EVERY = 50, 20, 10
WIDE_HOSTS = 500
FLUSH_TIMEOUT = 10


def write_inventory(path, count):
    lines = ['[all]'] + ['h%03d' % index for index in range(count)]
    lines += ['[all:vars]', 'ansible_connection=local', 'ansible_python_interpreter={{ ansible_playbook_python }}']
    with open(path, 'w') as handle:
        handle.write('\n'.join(lines) + '\n')


def write_playbook(path):
    tasks = []
    for index in range(TASKS):
        if index == TASKS // 2:
            tasks.append('    - name: break some hosts\n      ansible.builtin.fail:\n        msg: broken\n'
                         '      when: (inventory_hostname[1:] | int) %% %d == 0\n' % FAILING_EVERY)
        tasks.append('    - name: step %d\n      ansible.builtin.debug:\n        msg: step %d\n' % (index, index))
    with open(path, 'w') as handle:
        handle.write('- hosts: all\n  gather_facts: false\n  tasks:\n' + ''.join(tasks))


def write_wide_playbook(path):
    with open(path, 'w') as handle:
        handle.write('- hosts: all\n  gather_facts: false\n  tasks:\n'
                     '    - name: fail everywhere\n      ansible.builtin.fail:\n        msg: broken\n')


class Emulator:
    def __init__(self, scratch):
        self.scratch = scratch
        self.process = None
        self.port = 0

    def start(self):
        port_file = os.path.join(self.scratch, 'port')
        if os.path.exists(port_file):
            os.unlink(port_file)
        env = dict(os.environ, PYTHONPATH=ROOT)
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'aom_emulator', '--host', '127.0.0.1', '--port', str(self.port),
             '--db', os.path.join(self.scratch, 'aom.db'), '--port-file', port_file],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _attempt in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                self.port = int(open(port_file).read())
                return
            if self.process.poll() is not None:
                raise SystemExit('the emulator did not start')
            time.sleep(0.1)
        raise SystemExit('the emulator did not start in time')

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)


def run_playbook(workdir, inventory, playbook, env, forks=5):
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    started = time.monotonic()
    completed = subprocess.run([ansible_playbook, '-i', inventory, playbook, '-f', str(forks)], cwd=workdir, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    return time.monotonic() - started, completed


def paired_times(repeat, workdir, inventory, playbook, without_env, with_env):
    """Best of ``repeat`` runs without and with the callback, alternated so that load drifts hit both."""
    without, with_, output = [], [], ''
    for _attempt in range(repeat):
        without.append(run_playbook(workdir, inventory, playbook, without_env)[0])
        elapsed, completed = run_playbook(workdir, inventory, playbook, with_env)
        with_.append(elapsed)
        output = completed.stdout
    return min(with_), min(without), output


def active_alarms(emulator):
    rows = emulator.call('GET', '/_emulator/events?project_id=%s' % PROJECT)['events']
    return [row for row in rows if row['state'] == 'active']


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--repeat', type=int, default=2, help='runs per timing; the best counts')
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix='aom-callback-bench.')
    emulator = Emulator(scratch)
    try:
        collections = os.path.join(scratch, 'collections', 'ansible_collections', 'huaweicloud')
        os.makedirs(collections)
        os.symlink(ROOT, os.path.join(collections, 'aom'))
        inventory, wide_inventory = os.path.join(scratch, 'hosts'), os.path.join(scratch, 'wide_hosts')
        playbook, wide_playbook = os.path.join(scratch, 'site.yml'), os.path.join(scratch, 'wide.yml')
        write_inventory(inventory, HOSTS)
        write_inventory(wide_inventory, WIDE_HOSTS)
        write_playbook(playbook)
        write_wide_playbook(wide_playbook)
        spool_dir = os.path.join(scratch, 'spool')

        emulator.start()
        base_env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(scratch, 'collections'),
                        ANSIBLE_HOST_KEY_CHECKING='false')
        base_env.pop('ANSIBLE_CALLBACKS_ENABLED', None)
        with_env = dict(base_env, ANSIBLE_CALLBACKS_ENABLED='huaweicloud.aom.aom_alarm',
                        HW_AOM_ENDPOINT=emulator.url, HW_AOM_ALLOW_HTTP='true', HW_PROJECT_ID=PROJECT,
                        HW_ACCESS_KEY='DEMOACCESSKEY0000000',
                        HW_SECRET_KEY='DEMOSECRETKEYdemosecretkeydemosecretkey00',
                        AOM_ALARM_SPOOL_DIR=spool_dir, AOM_ALARM_FLUSH_TIMEOUT=str(FLUSH_TIMEOUT))
        failing = HOSTS // FAILING_EVERY

        # one untimed run first, so that every timed run finds the same standing alarms
        run_playbook(scratch, inventory, playbook, with_env)

        healthy, without, _output = paired_times(args.repeat, scratch, inventory, playbook, base_env, with_env)
        print('callback overhead (healthy): with=%.2fs without=%.2fs ratio=%.3f (target <= 1.05)'
              % (healthy, without, healthy / without))

        earlier_runs = set(row['annotations'].get('run_id') for row in active_alarms(emulator))
        emulator.call('POST', '/_emulator/faults', {'delay': 2.0, 'count': 100000})
        slow, without, output = paired_times(args.repeat, scratch, inventory, playbook, base_env, with_env)
        emulator.call('DELETE', '/_emulator/faults')
        # delivered by the timed runs: the alarm names one of their runs, not an earlier one
        lost = failing - sum(1 for row in active_alarms(emulator) if row['annotations'].get('run_id') not in earlier_runs)
        spooled = len(glob.glob(os.path.join(spool_dir, '*.json')))
        print('callback overhead (2 s delay): with=%.2fs without=%.2fs ratio=%.3f (target <= 1.10); '
              'active alarms=%d of %d, spool entries=%d, spooled warning=%s'
              % (slow, without, slow / without, failing - lost, failing, spooled, 'spooled to' in output))

        emulator.stop()
        down, without, output = paired_times(args.repeat, scratch, inventory, playbook, base_env, with_env)
        spooled_events = 0
        for path in glob.glob(os.path.join(spool_dir, '*.json')):
            with open(path) as handle:
                entry = json.load(handle)
            spooled_events += 0 if entry['clear'] else len(entry['events'])
        print('callback overhead (emulator stopped): with=%.2fs without=%.2fs ratio=%.3f (target <= 1.10); '
              'alarms spooled=%d (expected %d per run x %d runs)'
              % (down, without, down / without, spooled_events, failing, args.repeat))

        emulator.start()
        shutil.rmtree(spool_dir, ignore_errors=True)
        emulator.call('DELETE', '/_emulator/requests')
        elapsed, completed = run_playbook(scratch, wide_inventory, wide_playbook, with_env, forks=50)
        requests = emulator.call('GET', '/_emulator/requests')['requests']
        pushes = [entry for entry in requests if entry.get('path', '').endswith('/push/events')]
        raised = sum(1 for row in active_alarms(emulator) if row['metadata'].get('playbook') == 'wide.yml')
        print('push requests (%d hosts failing in one task): %d (target <= 5); alarms active=%d; run %.1fs'
              % (WIDE_HOSTS, len(pushes), raised, elapsed))
    finally:
        emulator.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
