"""Make this checkout importable as ``ansible_collections.huaweicloud.aom`` for benchmarks."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def collection_tree():
    """A temporary ``ansible_collections/huaweicloud/aom`` link to the checkout; yields its root.

    The root goes on ``sys.path`` (for direct imports) and in ``ANSIBLE_COLLECTIONS_PATH``
    (for ansible-playbook runs started from here).
    """
    with tempfile.TemporaryDirectory(prefix="aom-collection-") as root:
        namespace = Path(root, "ansible_collections", "huaweicloud")
        namespace.mkdir(parents=True)
        (namespace / "aom").symlink_to(REPO_ROOT)
        sys.path.insert(0, root)
        previous = os.environ.get("ANSIBLE_COLLECTIONS_PATH")
        os.environ["ANSIBLE_COLLECTIONS_PATH"] = root
        try:
            yield root
        finally:
            sys.path.remove(root)
            if previous is None:
                os.environ.pop("ANSIBLE_COLLECTIONS_PATH", None)
            else:
                os.environ["ANSIBLE_COLLECTIONS_PATH"] = previous
