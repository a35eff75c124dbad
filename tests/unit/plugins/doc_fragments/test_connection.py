# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection doc fragments say what the one option spec does."""
from __future__ import annotations

import yaml

from ansible_collections.huaweicloud.aom.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import CONNECTION_OPTIONS


def _options(text):
    return yaml.safe_load(text)['options']


def plugin_type(spec):
    """Plugins declare booleans as text: the collection parses them strictly, not ansible-core leniently."""
    return 'str' if spec['type'] == 'bool' else spec['type']


def plugin_default(spec):
    default = spec.get('default')
    return str(default).lower() if isinstance(default, bool) else default


def test_both_variants_document_every_option_with_its_type():
    for variant, typed in ((ModuleDocFragment.DOCUMENTATION, lambda spec: spec['type']), (ModuleDocFragment.PLUGINS, plugin_type)):
        documented = _options(variant)
        assert set(documented) == set(CONNECTION_OPTIONS)
        for name, spec in CONNECTION_OPTIONS.items():
            assert documented[name]['type'] == typed(spec), name


def test_module_variant_names_the_environment_variables():
    documented = _options(ModuleDocFragment.DOCUMENTATION)
    for name, spec in CONNECTION_OPTIONS.items():
        text = ' '.join(documented[name]['description'])
        for env in spec['env']:
            assert 'E(%s)' % env in text, (name, env)


def test_plugin_variant_env_ini_and_defaults_match_the_spec():
    documented = _options(ModuleDocFragment.PLUGINS)
    for name, spec in CONNECTION_OPTIONS.items():
        entry = documented[name]
        assert [env['name'] for env in entry['env']] == spec['env'], name
        assert entry['ini'] == [{'section': 'callback_aom_alarm', 'key': name}]
        assert entry.get('default') == plugin_default(spec), name
