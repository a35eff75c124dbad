# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one playbook the way AWX runs a job: ansible-runner, a fresh private data directory.

    python run_job.py JOBS NAME PLAYBOOK [--cfg KEY=VALUE ...] [--env KEY=VALUE ...] [--extra KEY=VALUE ...]

- JOBS/NAME becomes the job's private data directory (it must not exist): project/ holds this
  target's project/ files, inventory/hosts its hosts file, and env/envvars the variables AWX's
  credential injection gives the job, rendered from the collection's own credential type
  (extensions/awx/credential_type_huaweicloud_aom.yml) for the emulator's demo account. The
  connection reaches the job through it only: HW_* of this process are not passed on.
- --cfg: the callback is enabled in the project's ansible.cfg (callbacks_enabled, and each
  KEY=VALUE under [callback_aom_alarm]); nothing from the environment enables it then.
- --env: more variables for the job, as AWX's global extra environment variables (AWX_TASK_ENV)
  give them (ansible_runner.run(envvars=...)).
- --extra: extra variables of the job.

ansible-runner replaces the stdout callback (awx_display) and adds its own environment
(AWX_ISOLATED_DATA_DIR, ANSIBLE_CALLBACK_PLUGINS...). The job's stdout is printed; the last line
is ``JOB <status> <rc> <artifact dir>``; the exit code is the playbook's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

import ansible_runner
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
CALLBACK = 'huaweicloud.aom.aom_alarm'


def pairs(values):
    return dict(value.split('=', 1) for value in values or ())


def credential_env(root):
    """What AWX injects for a credential of the collection's type with the demo account's inputs."""
    with open(os.path.join(root, 'extensions', 'awx', 'credential_type_huaweicloud_aom.yml'), encoding='utf-8') as handle:
        credential_type = yaml.safe_load(handle)
    inputs = {'access_key': os.environ['AOM_DEMO_ACCESS_KEY'], 'secret_key': os.environ['AOM_DEMO_SECRET_KEY'],
              'project_id': os.environ['AOM_DEMO_PROJECT_ID'], 'endpoint': os.environ['AOM_EMULATOR_URL']}
    values = {field['id']: inputs.get(field['id'], field.get('default', '')) for field in credential_type['inputs']['fields']}
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    return {name: environment.from_string(template).render(**values)
            for name, template in credential_type['injectors']['env'].items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('jobs')
    parser.add_argument('name')
    parser.add_argument('playbook')
    parser.add_argument('--cfg', nargs='*')
    parser.add_argument('--env', nargs='*')
    parser.add_argument('--extra', nargs='*')
    args = parser.parse_args()

    private_data_dir = os.path.join(args.jobs, args.name)
    os.makedirs(args.jobs, exist_ok=True)
    os.mkdir(private_data_dir)
    shutil.copytree(os.path.join(HERE, 'project'), os.path.join(private_data_dir, 'project'))
    os.mkdir(os.path.join(private_data_dir, 'inventory'))
    shutil.copy(os.path.join(HERE, 'hosts'), os.path.join(private_data_dir, 'inventory', 'hosts'))
    os.mkdir(os.path.join(private_data_dir, 'env'))
    with open(os.path.join(private_data_dir, 'env', 'envvars'), 'w', encoding='utf-8') as handle:
        yaml.safe_dump(credential_env(os.environ['AOM_ROOT']), handle)

    # ansible-runner starts from this process's environment: keep the connection out of it
    for name in [name for name in os.environ if name.startswith(('HW_', 'HUAWEICLOUD_SDK_'))]:
        del os.environ[name]
    if args.cfg is not None:
        # as in AWX: no ANSIBLE_CONFIG, and nothing in the environment enables callbacks
        os.environ.pop('ANSIBLE_CONFIG', None)
        os.environ.pop('ANSIBLE_CALLBACKS_ENABLED', None)
        lines = ['[defaults]', 'callbacks_enabled = %s' % CALLBACK, '', '[callback_aom_alarm]']
        lines += ['%s = %s' % item for item in pairs(args.cfg).items()]
        with open(os.path.join(private_data_dir, 'project', 'ansible.cfg'), 'w', encoding='utf-8') as handle:
            handle.write('\n'.join(lines) + '\n')

    result = ansible_runner.run(private_data_dir=private_data_dir, playbook=args.playbook, envvars=pairs(args.env),
                                extravars=pairs(args.extra), quiet=True)
    with open(os.path.join(result.config.artifact_dir, 'stdout'), encoding='utf-8') as handle:
        sys.stdout.write(handle.read())
    print('\nJOB %s %s %s' % (result.status, result.rc, result.config.artifact_dir))
    return result.rc


if __name__ == '__main__':
    sys.exit(main())
