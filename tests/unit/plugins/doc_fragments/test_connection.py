# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection doc fragments say what the one option spec does, and ansible-core merges them so.

The descriptions are written once (DOCUMENTATION); PLUGINS adds only how ansible-core finds a
value (env, ini) and the text type of the booleans. What a plugin really gets is what ansible-doc
shows after merging, so the last tests ask ansible-doc itself.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from ansible_collections.huaweicloud.aom.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import CONNECTION_OPTIONS

COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *(['..'] * 7)))
# ansible-core reads an ini section list in order and keeps the last value set: the callback's
# own section wins over the collection-wide one.
INI_SECTIONS = ['huaweicloud_aom', 'callback_aom_alarm']


def _options(text):
    return yaml.safe_load(text)['options']


def plugin_type(spec):
    """Plugins declare booleans as text: the collection parses them strictly, not ansible-core leniently."""
    return 'str' if spec['type'] == 'bool' else spec['type']


def test_the_module_fragment_describes_every_option_with_its_type_and_environment():
    documented = _options(ModuleDocFragment.DOCUMENTATION)
    assert set(documented) == set(CONNECTION_OPTIONS)
    for name, spec in CONNECTION_OPTIONS.items():
        assert documented[name]['type'] == spec['type'], name
        text = ' '.join(documented[name]['description'])
        assert text.strip(), name
        for env in spec['env']:
            assert 'E(%s)' % env in text, (name, env)
        # the spec applies the defaults (an argument_spec default would beat the environment)
        assert 'default' not in documented[name], name


def test_the_plugin_fragment_adds_only_where_values_come_from():
    documented = _options(ModuleDocFragment.PLUGINS)
    assert set(documented) == set(CONNECTION_OPTIONS)
    for name, spec in CONNECTION_OPTIONS.items():
        entry = documented[name]
        allowed = {'env', 'ini'} | ({'type'} if spec['type'] == 'bool' else set())
        assert set(entry) == allowed, name
        # ansible-core takes the last set variable, env_fallback the first: reversed, HW_* wins in both
        assert [env['name'] for env in entry['env']] == list(reversed(spec['env'])), name
        assert entry['ini'] == [{'section': section, 'key': name} for section in INI_SECTIONS], name
        if 'type' in entry:
            assert entry['type'] == plugin_type(spec), name


def ansible_doc(*args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_NOCOLOR='1')
    done = subprocess.run([sys.executable, '-m', 'ansible.cli.doc', '--json'] + list(args), env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    (doc,) = json.loads(done.stdout).values()
    return doc['doc']['options']


def test_ansible_core_merges_the_fragments_into_the_callback_and_the_modules_alike():
    module_docs = _options(ModuleDocFragment.DOCUMENTATION)
    callback = ansible_doc('-t', 'callback', 'huaweicloud.aom.aom_alarm')
    module = ansible_doc('huaweicloud.aom.aom_event')
    assert set(CONNECTION_OPTIONS) <= set(callback) and set(CONNECTION_OPTIONS) <= set(module)
    for name, spec in CONNECTION_OPTIONS.items():
        # the one description, in both
        assert callback[name]['description'] == module[name]['description'] == module_docs[name]['description'], name
        assert module[name]['type'] == spec['type'] and 'env' not in module[name] and 'ini' not in module[name], name
        # the plugin fragment's type wins over the module fragment's (it is listed first)
        assert callback[name]['type'] == plugin_type(spec), name
        assert [env['name'] for env in callback[name]['env']] == list(reversed(spec['env'])), name
        assert [ini['section'] for ini in callback[name]['ini']] == INI_SECTIONS, name
