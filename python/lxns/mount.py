# SPDX-License-Identifier: LGPL-2.1-or-later
"""Detached mount trees, as python-lxns has them."""
from __future__ import annotations

import os
import warnings
from typing import Self

from . import _lxns

__all__ = ["ClonedTree"]


class ClonedTree:
    """A detached clone of the mount at a path (that mount only, not those below it), to
    attach elsewhere with mount(). Closing it unmounts the clone unless it was attached.
    """

    _fd = -1

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

    def close(self) -> None:
        """Close the clone's fd. Later calls do nothing."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if self._fd >= 0:
            warnings.warn("unclosed tree", ResourceWarning, source=self)
            self.close()

    def __repr__(self) -> str:
        closed = " closed" if self._fd < 0 else ""
        return f"<ClonedTree{closed} original_path={self.original_path}>"
