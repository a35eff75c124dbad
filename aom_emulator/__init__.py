"""A local Huawei Cloud AOM event service for tests, demos and benchmarks.

Not part of the Ansible collection (listed in galaxy.yml's build_ignore). It speaks the subset of
the AOM v2 event API and the IAM v3 token API that the collection uses, checks credentials the
way the real gateway does, stores events in SQLite, and can inject faults on request.
Run it with ``python -m aom_emulator --help``.
"""

__version__ = "1.0.0"
