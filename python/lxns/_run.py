# SPDX-License-Identifier: LGPL-2.1-or-later
"""lxns.run(): a callable run inside another process's namespaces, the caller's unchanged."""
from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from . import _lxns
from .namespaces import BaseNamespace

__all__ = ["RunError", "run"]

T = TypeVar("T")

#: The default bound on the pickled result.
RESULT_MAX = 1 << 20

# Room beyond max_result for the error that says a result was too large.
_ERROR_ROOM = 4096


class RunError(ChildProcessError):
    """The process that ran the callable ended without handing back a result: killed by a
    signal, or gone through os._exit(). ``status`` is its wait status."""

    def __init__(self, status: int) -> None:
        if os.WIFSIGNALED(status):
            how = f"was killed by signal {os.WTERMSIG(status)}"
        else:
            how = f"exited with status {os.waitstatus_to_exitcode(status)} and no result"
        super().__init__(f"the process running the callable {how}")
        self.status = status


def _outcome(fn: Callable[[], object], max_result: int) -> bytes:
    """In the child: fn's result or exception, pickled, with the traceback as text."""
    try:
        outcome: tuple[object, ...] = (True, fn())
    except BaseException as exc:  # every exception goes back to the caller
        outcome = (False, exc, traceback.format_exc())
    finally:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    try:
        data = pickle.dumps(outcome)
    except Exception as exc:
        data = pickle.dumps((False, TypeError(f"the result cannot be sent back: {exc}"), ""))
    if len(data) > max_result:
        too_big = ValueError(f"the result takes {len(data)} bytes, more than max_result={max_result}")
        data = pickle.dumps((False, too_big, ""))
    return data


def run(
    fn: Callable[[], T],
    /,
    *,
    pid: int | None = None,
    pidfd: int | None = None,
    namespaces: Sequence[BaseNamespace] | None = None,
    types: Iterable[str] | str | None = None,
    max_result: int = RESULT_MAX,
) -> T:
    """Call fn() inside the namespaces of a process (pid, or a pidfd; with types, only those
    named, e.g. {"net", "uts"}) or of namespace objects, and return its result. Exactly one
    of pid, pidfd and namespaces.

    fn runs in a child process forked from this one (inside the target's pid namespace when
    it joins one); the caller's namespaces never change. Its result comes back pickled (at
    most max_result bytes); an exception it raises is raised here, with its traceback in the
    child added as a note. Modules fn imports for the first time are loaded from the target's
    mount namespace: import them before. The GIL is released while the child runs.

    Raises the exception fn raised; RunError (the child died without a result); OSError
    from joining (ProcessLookupError, PermissionError, EINVAL for a bad target); TypeError
    (not exactly one target).
    """
    fds = None if namespaces is None else [ns.fileno() for ns in namespaces]
    status, data = _lxns.run(
        lambda: _outcome(fn, max_result),
        max_result + _ERROR_ROOM,
        pid=pid,
        pidfd=pidfd,
        namespaces=fds,
        types=types,
    )
    if not data:
        raise RunError(status)
    outcome = pickle.loads(data)
    if outcome[0]:
        return outcome[1]  # type: ignore[no-any-return]
    exc, text = outcome[1], outcome[2]
    if text:
        exc.add_note(f"in the process that ran it:\n{text}")
    raise exc
