# SPDX-License-Identifier: LGPL-2.1-or-later
"""Linux kernel namespace relations, as the linuxns_rel package has them, over lxns.

A namespace reference is a path (str), an open fd (int), or an object with fileno(). Relations
come as file objects (close them, or use ``with``).

Errors: a file that is not a namespace gives OSError ENOTTY (25); the parent of a namespace at
the top (or hidden from us) PermissionError; the parent of a type without parents, or the owner
UID of a namespace other than a user namespace, OSError EINVAL (22); a missing path
FileNotFoundError.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Protocol, TypeVar, Union

from lxns import _lxns

__version__ = "1.0.0"  # the linuxns_rel API this implements

CLONE_NEWCGROUP = _lxns.CLONE_NEWCGROUP
CLONE_NEWIPC = _lxns.CLONE_NEWIPC
CLONE_NEWNS = _lxns.CLONE_NEWNS
CLONE_NEWNET = _lxns.CLONE_NEWNET
CLONE_NEWPID = _lxns.CLONE_NEWPID
CLONE_NEWUSER = _lxns.CLONE_NEWUSER
CLONE_NEWUTS = _lxns.CLONE_NEWUTS

NSIO = 0xB7
NS_GET_USERNS = NSIO << 8 | 0x1
NS_GET_PARENT = NSIO << 8 | 0x2
NS_GET_NSTYPE = NSIO << 8 | 0x3
NS_GET_OWNER_UID = NSIO << 8 | 0x4

NAMESPACE_TYPE_NAMES = {
    CLONE_NEWCGROUP: "cgroup",
    CLONE_NEWIPC: "ipc",
    CLONE_NEWNS: "mnt",
    CLONE_NEWNET: "net",
    CLONE_NEWPID: "pid",
    CLONE_NEWUSER: "user",
    CLONE_NEWUTS: "uts",
}


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


NamespaceRef = Union[str, int, _HasFileno]

T = TypeVar("T")


@contextmanager
def _fd_of(ref: NamespaceRef) -> Iterator[int]:
    """The fd a reference names; a path is opened (without blocking on a FIFO) and closed."""
    if isinstance(ref, str):
        fd = os.open(ref, os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            yield fd
        finally:
            os.close(fd)
    elif isinstance(ref, int):
        yield ref
    elif hasattr(ref, "fileno"):
        yield ref.fileno()
    else:
        raise TypeError(f"namespace reference must be str, int or TextIO, not {type(ref)}")


def _with_fd(ref: NamespaceRef, call: Callable[[int], T]) -> T:
    with _fd_of(ref) as fd:
        return call(fd)


def nstype_str(nstype: int) -> str:
    """The name of a CLONE_NEW* type ("user", "pid", ...). Raises ValueError for any other
    value."""
    try:
        return NAMESPACE_TYPE_NAMES[nstype]
    except KeyError:
        raise ValueError(f"invalid namespace type value {nstype}/{nstype:#x}") from None


def get_nstype(nsref: NamespaceRef) -> int:
    """The CLONE_NEW* type of a namespace."""
    return _with_fd(nsref, _lxns.ns_get_nstype)


def get_owner_uid(nsref: NamespaceRef) -> int:
    """UID of the creator of a user namespace (65534 where it has no mapping in ours)."""
    return _with_fd(nsref, _lxns.ns_get_owner_uid)


def get_nsrel(nsref: NamespaceRef, request: int) -> IO[str]:
    """The namespace related to nsref by request, NS_GET_USERNS (owning user namespace) or
    NS_GET_PARENT, as a file object. Raises ValueError for another request."""
    relations = {NS_GET_USERNS: _lxns.ns_get_userns, NS_GET_PARENT: _lxns.ns_get_parent}
    if request not in relations:
        raise ValueError(f"invalid request {request:#x}: NS_GET_USERNS or NS_GET_PARENT")
    return os.fdopen(_with_fd(nsref, relations[request]), "r")


def get_userns(nsref: NamespaceRef) -> IO[str]:
    """The user namespace owning a namespace, as a file object."""
    return get_nsrel(nsref, NS_GET_USERNS)


def get_parentns(nsref: NamespaceRef) -> IO[str]:
    """The parent of a user or pid namespace, as a file object."""
    return get_nsrel(nsref, NS_GET_PARENT)
