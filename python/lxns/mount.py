# SPDX-License-Identifier: LGPL-2.1-or-later
"""Detached mount trees, as python-lxns has them."""
from __future__ import annotations

import os

from . import _lxns
from ._owned import OwnedFd

__all__ = ["ClonedTree"]


class ClonedTree(OwnedFd):
    """A detached clone of the mount at a path (that mount only, not those below it), to
    attach elsewhere with mount(). Closing it (close(), with, or warned of by __del__) unmounts
    the clone unless it was attached.
    """

    _unclosed = "tree"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Clone the mount at path. Raises OSError (FileNotFoundError, PermissionError, ...)."""
        self.original_path = path
        self._fd = _lxns.tree_clone(path)

    def mount(self, path: str | os.PathLike[str]) -> None:
        """Attach the clone at path.

        Raises ValueError once closed, OSError EINVAL when attached already.
        """
        if self._fd < 0:
            raise ValueError("Tree is already closed.")
        _lxns.tree_attach(self._fd, path)

    def __repr__(self) -> str:
        closed = " closed" if self._fd < 0 else ""
        return f"<ClonedTree{closed} original_path={self.original_path}>"
