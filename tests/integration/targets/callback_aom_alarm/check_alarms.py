# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions on what the AOM emulator stores and was asked, for runme.sh.

    python check_alarms.py URL PROJECT active HOST SEVERITY TASK MESSAGE  exactly one active alarm, these fields
    python check_alarms.py URL PROJECT cleared HOST                       its alarm exists, none active
    python check_alarms.py URL PROJECT none HOST                          no alarm was ever raised
    python check_alarms.py URL PROJECT rows N                             exactly N stored rows
    python check_alarms.py URL PROJECT absent TEXT                        TEXT in no stored row
    python check_alarms.py URL PROJECT requests N [STATUS]                N requests logged (with STATUS)
    python check_alarms.py URL PROJECT pushes N                           N push requests logged
    python check_alarms.py URL PROJECT reset                              forget the logged requests
    python check_alarms.py URL PROJECT fault JSON                         inject a fault rule

Exits 1 with the reason and the rows when a check fails.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request

EVENT_NAME = 'ansible_playbook_failed'
PLAYBOOK = 'deploy.yml'
ANNOTATIONS = ('failure', 'task', 'task_action', 'task_path', 'play', 'message', 'run_id', 'run_started_at',
               'controller', 'ansible_version')


def get(url, path, **query):
    suffix = '?' + urllib.parse.urlencode(query) if query else ''
    with urllib.request.urlopen(url + path + suffix, timeout=30) as response:
        return json.load(response)


def send(url, path, method, body=None):
    data = None if body is None else body.encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def fail(reason, data):
    print('CHECK FAILED: %s' % reason, file=sys.stderr)
    print(json.dumps(data, indent=1, sort_keys=True), file=sys.stderr)
    sys.exit(1)


def alarm_rows(rows, host):
    return [row for row in rows if row['metadata'].get('resource_id') == host
            and row['metadata'].get('event_name') == EVENT_NAME and row['metadata'].get('playbook') == PLAYBOOK]


def main(url, project, check, *args):
    if check == 'reset':
        return send(url, '/_emulator/requests', 'DELETE')
    if check == 'fault':
        return send(url, '/_emulator/faults', 'POST', args[0])
    rows = get(url, '/_emulator/events', project_id=project)['events']
    if check == 'active':
        host, severity, task, message = args
        mine = alarm_rows(rows, host)
        active = [row for row in mine if row['state'] == 'active']
        if len(active) != 1:
            fail('%s: expected exactly one active alarm' % host, mine)
        row = active[0]
        expected = {'event_type': 'alarm', 'event_severity': severity, 'resource_provider': 'ansible',
                    'resource_type': 'host'}
        if any(row['metadata'].get(key) != value for key, value in expected.items()):
            fail('%s: metadata differs from %s' % (host, expected), row)
        missing = [key for key in ANNOTATIONS if not row['annotations'].get(key)]
        if missing or row['annotations']['task'] != task or message not in row['annotations']['message']:
            fail('%s: annotations missing %s or task/message differ (%r, %r)' % (host, missing, task, message), row)
        if not row['annotations']['task_path'].split(':')[0].endswith('deploy.yml'):
            fail('%s: task_path is not deploy.yml:LINE' % host, row)
    elif check == 'cleared':
        mine = alarm_rows(rows, args[0])
        if not mine or any(row['state'] == 'active' for row in mine):
            fail('%s: expected a cleared alarm and no active one' % args[0], mine)
    elif check == 'none':
        if alarm_rows(rows, args[0]):
            fail('%s: expected no alarm at all' % args[0], alarm_rows(rows, args[0]))
    elif check == 'rows':
        if len(rows) != int(args[0]):
            fail('expected %s stored rows, found %d' % (args[0], len(rows)), rows)
    elif check == 'absent':
        if args[0] in json.dumps(rows):
            fail('%r found in the stored events' % args[0], rows)
    elif check in ('requests', 'pushes'):
        logged = [entry for entry in get(url, '/_emulator/requests')['requests']
                  if not entry.get('path', '').startswith('/_emulator/')]
        if check == 'pushes':
            logged = [entry for entry in logged if entry.get('path', '').endswith('/push/events')]
        if len(args) > 1:
            logged = [entry for entry in logged if str(entry.get('status')) == args[1]]
        if len(logged) != int(args[0]):
            status = ' with status %s' % args[1] if len(args) > 1 else ''
            fail('expected %s %s%s, found %d' % (args[0], check, status, len(logged)), logged)
    else:
        fail('unknown check %s' % check, args)


if __name__ == '__main__':
    main(*sys.argv[1:])
