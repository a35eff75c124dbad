# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions on what the AOM emulator stores (GET /_emulator/events), for runme.sh.

    python check_events.py URL PROJECT_ID events SERVICE STARTED SUCCEEDED
    python check_events.py URL PROJECT_ID alarm SERVICE active SEVERITY FAILED_TASK MESSAGE
    python check_events.py URL PROJECT_ID alarm SERVICE cleared
    python check_events.py URL PROJECT_ID alarm SERVICE none
    python check_events.py URL PROJECT_ID absent TEXT

Every check is made for each of the hosts web1 and web2 (resource_id SERVICE@HOST).
Exits 1 with the reason and the rows when a check fails.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request

HOSTS = ('web1', 'web2')
ALARM_NAME = 'deployment_failed'


def rows(url, project_id):
    query = urllib.parse.urlencode({'project_id': project_id})
    with urllib.request.urlopen('%s/_emulator/events?%s' % (url, query), timeout=30) as response:
        return json.load(response)['events']


def of(stored, service, host, event_name):
    return [row for row in stored
            if row['metadata'].get('event_name') == event_name
            and row['metadata'].get('service') == service
            and row['metadata'].get('resource_id') == '%s@%s' % (service, host)]


def check_events(stored, service, started, succeeded):
    problems = []
    for host in HOSTS:
        for name, expected in (('deployment started', int(started)), ('deployment succeeded', int(succeeded))):
            found = of(stored, service, host, name)
            if len(found) != expected:
                problems.append('%s: %d "%s" events, expected %d' % (host, len(found), name, expected))
            for row in found:
                meta = row['metadata']
                if (meta['event_type'], meta['event_severity'], meta.get('host'), row['state']) != \
                        ('event', 'Info', host, 'history'):
                    problems.append('%s: unexpected "%s" event %r' % (host, name, row))
                if row['annotations'].get('host') != host or row['annotations'].get('service') != service:
                    problems.append('%s: "%s" event without service/host annotations' % (host, name))
    return problems


def check_alarm(stored, service, state, severity=None, failed_task=None, message=None):
    problems = []
    for host in HOSTS:
        alarms = of(stored, service, host, ALARM_NAME)
        active = [row for row in alarms if row['state'] == 'active']
        if state == 'active':
            if len(active) != 1:
                problems.append('%s: %d active alarms, expected 1' % (host, len(active)))
                continue
            alarm = active[0]
            notes = alarm['annotations']
            if alarm['metadata']['event_severity'] != severity:
                problems.append('%s: severity %s, expected %s' % (host, alarm['metadata']['event_severity'], severity))
            if alarm['metadata']['event_type'] != 'alarm':
                problems.append('%s: event_type %s' % (host, alarm['metadata']['event_type']))
            if notes.get('failed_task') != failed_task:
                problems.append('%s: failed_task %r, expected %r' % (host, notes.get('failed_task'), failed_task))
            if notes.get('message') != message:
                problems.append('%s: message %r, expected %r' % (host, notes.get('message'), message))
            if failed_task not in notes.get('alarm_probableCause_en_us', ''):
                problems.append('%s: the probable cause does not name the task' % host)
            if alarm['timeout'] != 3 * 24 * 3600 * 1000:
                problems.append('%s: timeout %s, expected 3 days' % (host, alarm['timeout']))
        elif state == 'cleared':
            if active:
                problems.append('%s: the alarm is still active' % host)
            if not [row for row in alarms if row['state'] == 'history' and row['ends_at'] > 0]:
                problems.append('%s: no cleared alarm in the history' % host)
        elif state == 'none':
            if alarms:
                problems.append('%s: %d alarms, expected none' % (host, len(alarms)))
        else:
            problems.append('unknown alarm state %r' % state)
    return problems


def main(argv):
    url, project_id, check, args = argv[1], argv[2], argv[3], argv[4:]
    stored = rows(url, project_id)
    if check == 'events':
        problems = check_events(stored, *args)
    elif check == 'alarm':
        problems = check_alarm(stored, *args)
    elif check == 'absent':
        problems = ['%r is stored in AOM' % args[0]] if args[0] in json.dumps(stored) else []
    else:
        problems = ['unknown check %r' % check]
    if problems:
        print('check %s %s FAILED:\n  %s' % (check, ' '.join(args), '\n  '.join(problems)))
        print(json.dumps(stored, indent=1))
        return 1
    print('check %s %s: ok' % (check, ' '.join(args)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
