# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the classes that hold a file descriptor share: close once, with, and a warning for one
left unclosed."""
from __future__ import annotations

import os
import warnings
from typing import ClassVar, Self


class OwnedFd:
    """An object holding one fd in _fd (-1 once closed), closed by close() when _closefd."""

    _fd = -1
    _closefd = True
    #: What __del__ warns of an object left unclosed: "unclosed {what}".
    _unclosed: ClassVar[str] = "object"

    def close(self) -> None:
        """Close the fd (when the object owns it). Later calls do nothing."""
        fd, self._fd = self._fd, -1
        if fd >= 0 and self._closefd:
            os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if self._fd >= 0:
            warnings.warn(f"unclosed {self._unclosed_text()}", ResourceWarning, source=self)
            self.close()

    def _unclosed_text(self) -> str:
        return self._unclosed
