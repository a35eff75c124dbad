# huaweicloud.aom: development and test entry points. `make help` lists them.
# Works from a checkout at any path; needs only python3 (3.11) with pip and venv, and make.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# ansible-test runs share ~/.ansible/test: one at a time
.NOTPARALLEL:
# each recipe runs in one bash (so `cd` and `if` span lines)
.ONESHELL:

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
PYTHON ?= python3
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.huaweicloud-aom-dev-requirements.stamp
# `make demo` has a small environment of its own: runtime libraries, the emulator's, ansible-core
DEMO_VENV := $(ROOT)/.venv-demo
DEMO_STAMP := $(DEMO_VENV)/.huaweicloud-aom-demo-requirements.stamp
ANSIBLE_TEST := $(ROOT)/hack/ansible-test.sh
# extra arguments for ansible-test, e.g. make units UNITS_ARGS='tests/unit/plugins/modules'
SANITY_ARGS ?=
UNITS_ARGS ?=
INTEGRATION_ARGS ?=

export VENV

.PHONY: help venv sanity units integration emulator-test eda-test lint build build-smoke units-pythons core-floor \
	ee-check test demo bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

venv: $(STAMP) ## create .venv with the pinned tools of hack/requirements-dev.txt (idempotent)

$(STAMP): $(ROOT)/hack/requirements-dev.txt
	@if [[ ! -x "$(PY)" ]]; then echo "creating $(VENV)"; $(PYTHON) -m venv "$(VENV)"; fi
	"$(PY)" -m pip install --disable-pip-version-check --quiet -r "$(ROOT)/hack/requirements-dev.txt"
	touch "$@"

sanity: venv ## ansible-test sanity (all tests, no ignore entries)
	"$(ANSIBLE_TEST)" sanity $(SANITY_ARGS)

units: venv ## ansible-test units (tests/unit)
	"$(ANSIBLE_TEST)" units $(UNITS_ARGS)

integration: venv ## ansible-test integration (tests/integration/targets, against the emulator)
	"$(ANSIBLE_TEST)" integration $(INTEGRATION_ARGS)

emulator-test: venv ## pytest tests/emulator (the AOM emulator's own tests)
	@cd "$(ROOT)"
	if ! compgen -G 'tests/emulator/test_*.py' >/dev/null; then
		echo "emulator-test: no tests/emulator/test_*.py yet: nothing to run"
		exit 0
	fi
	"$(PY)" -m pytest tests/emulator -q -p no:cacheprovider

eda-test: venv ## pytest tests/eda (the EDA source and the real ansible-rulebook; needs Java 17+)
	@cd "$(ROOT)"
	"$(PY)" -m pytest tests/eda -q -p no:cacheprovider

lint: venv ## antsibull-changelog lint; ansible-lint (production) on playbooks/ and roles/
	"$(ROOT)/hack/lint.sh"

build: venv ## build the collection tarball into build/
	mkdir -p "$(ROOT)/build"
	cd "$(ROOT)" && "$(VENV)/bin/ansible-galaxy" collection build --force --output-path "$(ROOT)/build"

build-smoke: venv ## build the tarball, install it into a temporary path, use the modules and the callback from there
	"$(ROOT)/hack/build-smoke.sh"

units-pythons: venv ## unit tests of module_utils and modules on Python 3.9 and 3.13 (hack/units-pythons.sh)
	"$(ROOT)/hack/units-pythons.sh"

core-floor: units-pythons ## build-smoke on ansible-core 2.17.0, the modules on Python 3.9 (hack/core-floor.sh)
	"$(ROOT)/hack/core-floor.sh"

ee-check: venv ## ansible-builder create + the context's introspect: the EE gets requests and voluptuous
	"$(PY)" "$(ROOT)/hack/ee_check.py"

test: venv sanity units integration emulator-test eda-test lint build-smoke units-pythons core-floor ee-check ## everything CI runs

demo: $(DEMO_STAMP) ## run the demo (hack/demo.sh) in .venv-demo (hack/requirements-demo.txt)
	@VENV="$(DEMO_VENV)" PATH="$(DEMO_VENV)/bin:$$PATH" bash "$(ROOT)/hack/demo.sh"

# A venv without pip of its own, filled by python3's pip (--python, pip 22.3+): creating pip
# inside the venv (ensurepip) costs more CPU than installing the demo's packages does. pip puts
# uv (one wheel, from PyPI) there first; uv installs the 24 packages in parallel and without
# compiling them, about 3 times faster than pip. Should uv fail (no wheel for the platform,
# an index it cannot reach), pip installs them instead.
$(DEMO_STAMP): $(ROOT)/hack/requirements-demo.txt
	@if [[ ! -x "$(DEMO_VENV)/bin/python" ]]; then
		echo "creating $(DEMO_VENV)"
		if $(PYTHON) -m pip --help 2>/dev/null | grep -q -- '--python <python>'; then
			$(PYTHON) -m venv --without-pip "$(DEMO_VENV)"
		else
			$(PYTHON) -m venv "$(DEMO_VENV)"
		fi
	fi
	if [[ -x "$(DEMO_VENV)/bin/pip" ]]; then pip=("$(DEMO_VENV)/bin/python" -m pip); else pip=($(PYTHON) -m pip --python "$(DEMO_VENV)/bin/python"); fi
	pip+=(install --disable-pip-version-check --quiet)
	requirements=$(ROOT)/hack/requirements-demo.txt
	if [[ -n "$${PIP_INDEX_URL:-}" ]]; then export UV_INDEX_URL=$${UV_INDEX_URL:-$$PIP_INDEX_URL}; fi
	if "$${pip[@]}" "$$(grep -m1 '^uv==' "$(ROOT)/hack/requirements-demo-installer.txt")" \
		&& "$(DEMO_VENV)/bin/uv" pip install --quiet --python "$(DEMO_VENV)/bin/python" -r "$$requirements"; then
		:
	else
		echo "uv could not install the demo's packages; pip installs them"
		"$${pip[@]}" -r "$$requirements"
	fi
	touch "$@"

bench: venv ## run every bench/*.py (not _helpers) with the venv python
	@cd "$(ROOT)"
	shopt -s nullglob
	benches=(bench/[!_]*.py)
	if [[ $${#benches[@]} -eq 0 ]]; then echo "bench: no bench/*.py yet"; exit 0; fi
	for bench in "$${benches[@]}"; do
		echo "== $$bench"
		"$(PY)" "$$bench"
	done

clean: ## remove build/ and tests/output/ (keeps .venv)
	rm -rf "$(ROOT)/build" "$(ROOT)/tests/output"
