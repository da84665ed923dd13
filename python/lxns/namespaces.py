# SPDX-License-Identifier: LGPL-2.1-or-later
"""Namespaces as objects holding a file descriptor, as python-lxns has them.

Open one with ``from_pid()``, ``from_self()``, ``from_pidfd()`` or ``from_handle()``, enter it
with ``setns()``, make a new one with ``unshare()``. Every object owns an fd: close it, or use
``with``; an object collected unclosed warns ``ResourceWarning``. Once closed, every method
raises ``ValueError``.

Values are properties (``ns_id``, ``owner_uid``); what opens another namespace is a method that
returns a new object to close (``get_user_namespace()``, ``get_parent()``).
"""
from __future__ import annotations

import errno
import os
from typing import ClassVar, Literal, Self

from . import _lxns
from ._owned import OwnedFd

__all__ = [
    "CgroupNamespace",
    "IpcNamespace",
    "MountNamespace",
    "NetworkNamespace",
    "PidNamespace",
    "TimeNamespace",
    "UserNamespace",
    "UtsNamespace",
    "unshare_namespaces",
]


class BaseNamespace(OwnedFd):
    """Base namespace class for all namespaces. Should not be used directly."""

    NAMESPACE_CONSTANT: ClassVar[int] = -1
    NAMESPACE_PROC_NAME: ClassVar[str] = "\0"

    def __init__(self, fd: int, closefd: bool = True) -> None:
        """Wrap fd, a namespace of this class's type; with closefd, close() closes it.

        Raises ValueError (a namespace of another type; fd is left open and untouched),
        OSError ENOTTY (not a namespace), EBADF.
        """
        if _lxns.ns_get_nstype(fd) != self.NAMESPACE_CONSTANT:
            raise ValueError(
                f"File descriptor {fd} does not reference the {type(self).__name__} namespace."
            )
        self._fd = fd
        self._closefd = closefd

    @classmethod
    def _adopt(cls, fd: int) -> Self:
        """An object owning fd, a namespace just opened; fd is closed if that fails."""
        try:
            return cls(fd)
        except BaseException:
            os.close(fd)
            raise

    @classmethod
    def from_pid(cls, pid: int | Literal["self"]) -> Self:
        """Open this namespace of process pid (or "self").

        Raises FileNotFoundError (no such process), PermissionError.
        """
        if pid == "self":
            return cls.from_self()
        try:
            if pid > 0:
                return cls._adopt(_lxns.open_pid(pid, cls.NAMESPACE_CONSTANT))
        except ProcessLookupError:
            pass
        # As opening /proc/PID/ns/NAME says for a process that is not there.
        path = f"/proc/{pid}/ns/{cls.NAMESPACE_PROC_NAME}"
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)

    @classmethod
    def from_self(cls) -> Self:
        """Open this namespace of the calling process (/proc/self/ns/NAME)."""
        path = f"/proc/self/ns/{cls.NAMESPACE_PROC_NAME}"
        return cls._adopt(_lxns.open_path(path, cls.NAMESPACE_CONSTANT))

    @classmethod
    def from_pidfd(cls, pidfd: int) -> Self:
        """Open this namespace of the process a pidfd (os.pidfd_open()) names.

        Raises ProcessLookupError (it exited), OSError EBADF (not a pidfd).
        """
        return cls._adopt(_lxns.open_pidfd(pidfd, cls.NAMESPACE_CONSTANT))

    @classmethod
    def from_handle(cls, handle: str) -> Self:
        """Open the namespace a persistent handle (from handle()) names.

        BaseNamespace.from_handle() gives an object of the handle's type.
        Raises ValueError (not a handle; or, from a subclass, another type), OSError ESTALE
        (gone, or not ours to open), EOPNOTSUPP (kernels before 6.18).
        """
        fd = _lxns.open_handle(handle)
        return _adopt(fd) if cls is BaseNamespace else cls._adopt(fd)

    def fileno(self) -> int:
        """The namespace's fd. Raises ValueError once closed."""
        if self._fd < 0:
            raise ValueError("Namespace is already closed.")
        return self._fd

    @property
    def ns_id(self) -> int:
        """The namespace's inode number (the N of "net:[N]"). Raises ValueError once closed."""
        return os.fstat(self.fileno()).st_ino

    @property
    def owner_uid(self) -> int:
        """UID of the creator of this user namespace, in ours (65534 where unmapped).

        Raises OSError EINVAL (not a user namespace), ValueError once closed.
        """
        return _lxns.ns_get_owner_uid(self.fileno())

    def setns(self) -> None:
        """Enter the namespace. Raises OSError (the syscall's errors), ValueError once closed."""
        _lxns.setns(self.fileno(), self.NAMESPACE_CONSTANT)

    def get_user_namespace(self) -> UserNamespace:
        """Open the user namespace that owns this one (for a user namespace, its parent).

        Raises PermissionError (outside our user namespace tree), ValueError once closed.
        """
        return UserNamespace._adopt(_lxns.ns_get_userns(self.fileno()))

    def get_parent(self) -> Self:
        """Open the parent of this user or pid namespace.

        Raises PermissionError (at the top, or hidden from us), OSError EINVAL (a type
        without parents), ValueError once closed.
        """
        return type(self)._adopt(_lxns.ns_get_parent(self.fileno()))

    def handle(self) -> str:
        """A persistent handle: a string that from_handle() opens again while the namespace
        lives, in any process that may access it.

        Raises OSError EOPNOTSUPP (kernels before 6.18), ValueError once closed.
        """
        return _lxns.handle(self.fileno())

    def _unclosed_text(self) -> str:
        return f"namespace {self!r}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.ns_id if self._fd >= 0 else 'closed'}>"

    @classmethod
    def unshare(cls) -> None:
        """Create a new namespace of this type and switch to it. Raises OSError."""
        _lxns.unshare(cls.NAMESPACE_CONSTANT)

    @classmethod
    def get_current_ns_id(cls) -> int:
        """Inode number of the calling process's namespace of this type, opening nothing."""
        return os.stat(f"/proc/self/ns/{cls.NAMESPACE_PROC_NAME}").st_ino

    @classmethod
    def get_current_limit(cls) -> int:
        """/proc/sys/user/max_NAME_namespaces of our user namespace. Raises OSError."""
        return _lxns.limit_get(cls.NAMESPACE_CONSTANT)

    @classmethod
    def set_current_limit(cls, new_limit: int) -> None:
        """Set /proc/sys/user/max_NAME_namespaces of our user namespace (and so below it).

        Raises OSError EINVAL (out of 0...2**31-1), PermissionError.
        """
        _lxns.limit_set(cls.NAMESPACE_CONSTANT, new_limit)


class CgroupNamespace(BaseNamespace):
    """Cgroup namespace: the root of the cgroup hierarchy seen."""

    NAMESPACE_CONSTANT = _lxns.CLONE_NEWCGROUP
    NAMESPACE_PROC_NAME = "cgroup"


class IpcNamespace(BaseNamespace):
    """IPC namespace: System V IPC objects and POSIX message queues."""

    NAMESPACE_CONSTANT = _lxns.CLONE_NEWIPC
    NAMESPACE_PROC_NAME = "ipc"


class NetworkNamespace(BaseNamespace):
    """Network namespace: devices, addresses, routes, firewall rules, ports."""

    NAMESPACE_CONSTANT = _lxns.CLONE_NEWNET
    NAMESPACE_PROC_NAME = "net"


class MountNamespace(BaseNamespace):
    """Mount namespace: the mount table."""

    NAMESPACE_CONSTANT = _lxns.CLONE_NEWNS
    NAMESPACE_PROC_NAME = "mnt"


class PidNamespace(BaseNamespace):
    """PID namespace: process IDs (entering one places only later children in it)."""

    NAMESPACE_CONSTANT = _lxns.CLONE_NEWPID
    NAMESPACE_PROC_NAME = "pid"


class TimeNamespace(BaseNamespace):
    """Time namespace: offsets of the monotonic and boot-time clocks."""

    NAMESPACE_CONSTANT = _lxns.CLONE_NEWTIME
    NAMESPACE_PROC_NAME = "time"


class UserNamespace(BaseNamespace):
    """User namespace: user and group IDs, capabilities; owns the other namespaces."""

    NAMESPACE_CONSTANT = _lxns.CLONE_NEWUSER
    NAMESPACE_PROC_NAME = "user"


class UtsNamespace(BaseNamespace):
    """UTS namespace: hostname and NIS domain name."""

    NAMESPACE_CONSTANT = _lxns.CLONE_NEWUTS
    NAMESPACE_PROC_NAME = "uts"


_CLASS_OF_TYPE: dict[int, type[BaseNamespace]] = {
    cls.NAMESPACE_CONSTANT: cls for cls in BaseNamespace.__subclasses__()
}

ALL_NAMESPACE_CLASSES: tuple[type[BaseNamespace], ...] = tuple(
    _CLASS_OF_TYPE[t] for t in _lxns.join_order()
)
"""Every namespace class once, in an order suited for joining (the user namespace first)."""


def _adopt(fd: int) -> BaseNamespace:
    """An object of the right class owning fd, a namespace just opened; fd is closed if that
    fails."""
    try:
        cls = _CLASS_OF_TYPE[_lxns.ns_get_nstype(fd)]
    except BaseException:
        os.close(fd)
        raise
    return cls._adopt(fd)


def unshare_namespaces(
    *,
    cgroup: bool = False,
    ipc: bool = False,
    network: bool = False,
    mount: bool = False,
    pid: bool = False,
    time: bool = False,
    user: bool = False,
    uts: bool = False,
) -> None:
    """Unshare the namespaces whose arguments are true, in one unshare(2); none does nothing.

    Raises OSError (EPERM without privilege, EINVAL for a new user namespace in a
    multithreaded process, ENOSPC at a limit).
    """
    wanted = {
        CgroupNamespace: cgroup,
        IpcNamespace: ipc,
        NetworkNamespace: network,
        MountNamespace: mount,
        PidNamespace: pid,
        TimeNamespace: time,
        UserNamespace: user,
        UtsNamespace: uts,
    }
    flags = 0
    for cls, on in wanted.items():
        if on:
            flags |= cls.NAMESPACE_CONSTANT
    _lxns.unshare(flags)
