# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fill a project of the AOM emulator with silence rules, quickly (one token, one POST each).

    python seed_mute_rules.py URL PROJECT_ID PREFIX COUNT

Creates COUNT daily rules PREFIX0, PREFIX1, ... with the demo user's token. Prints how many
rules the project holds afterwards.
"""

from __future__ import annotations

import json
import sys
import urllib.request

DEMO_USER = {'domain': {'name': 'demo-domain'}, 'name': 'demo-user', 'password': 'demo-password'}


def call(url, method, body=None, headers=None):
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers=dict({'Content-Type': 'application/json'}, **(headers or {})))
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers, response.read()


def main(url, project_id, prefix, count):
    auth = {'auth': {'identity': {'methods': ['password'], 'password': {'user': DEMO_USER}},
                     'scope': {'project': {'id': project_id}}}}
    headers, _body = call(url + '/v3/auth/tokens', 'POST', auth)
    token = {'X-Auth-Token': headers['X-Subject-Token']}
    path = '%s/v2/%s/alert/mute-rules' % (url, project_id)
    for index in range(count):
        call(path, 'POST', {'name': '%s%d' % (prefix, index), 'desc': 'seeded', 'timezone': 'UTC',
                            'match': [[{'key': 'seed', 'operate': 'EQUALS', 'value': [str(index)]}]],
                            'mute_config': {'type': 'DAILY', 'starts_at': 0, 'ends_at': 60000, 'scope': []}},
             token)
    _headers, body = call(path, 'GET', headers=token)
    print(len(json.loads(body)))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
