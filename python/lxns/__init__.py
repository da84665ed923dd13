# SPDX-License-Identifier: LGPL-2.1-or-later
"""Linux kernel namespaces, over the lxns C library.

Modules as python-lxns has them: ``lxns.os`` (syscall wrappers), ``lxns.namespaces``
(namespace objects), ``lxns.mount`` (detached mount trees). Beyond them, here:

- ``discover()``: every namespace of the system and how they relate, as a ``Snapshot`` of
  ``Node`` objects;
- ``run()``: call a function inside another process's namespaces without leaving ours.
"""
from ._lxns import Node, Snapshot, Stats, __version__, discover
from ._run import RunError, run

__all__ = ["Node", "RunError", "Snapshot", "Stats", "__version__", "discover", "run"]
