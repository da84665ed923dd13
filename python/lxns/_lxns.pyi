# SPDX-License-Identifier: LGPL-2.1-or-later
# Types of the extension module lxns._lxns (python/src/*.c).
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final, Protocol, TypeAlias, final

from lxns.namespaces import BaseNamespace

class _HasFileno(Protocol):
    def fileno(self) -> int: ...

_FD: TypeAlias = int | _HasFileno
_Path: TypeAlias = str | bytes | os.PathLike[str] | os.PathLike[bytes]
_Names: TypeAlias = Iterable[str] | str | None

__version__: Final[str]

# lxns.os
CLONE_FILES: Final[int]
CLONE_FS: Final[int]
CLONE_NEWCGROUP: Final[int]
CLONE_NEWIPC: Final[int]
CLONE_NEWNET: Final[int]
CLONE_NEWNS: Final[int]
CLONE_NEWPID: Final[int]
CLONE_NEWTIME: Final[int]
CLONE_NEWUSER: Final[int]
CLONE_NEWUTS: Final[int]
CLONE_SYSVSEM: Final[int]
AT_EMPTY_PATH: Final[int]
AT_NO_AUTOMOUNT: Final[int]
AT_SYMLINK_NOFOLLOW: Final[int]
AT_RECURSIVE: Final[int]
OPEN_TREE_CLOEXEC: Final[int]
OPEN_TREE_CLONE: Final[int]
MOVE_MOUNT_F_SYMLINKS: Final[int]
MOVE_MOUNT_F_AUTOMOUNTS: Final[int]
MOVE_MOUNT_F_EMPTY_PATH: Final[int]
MOVE_MOUNT_T_SYMLINKS: Final[int]
MOVE_MOUNT_T_EMPTY_PATH: Final[int]

def unshare(flags: int, /) -> None: ...
def setns(fd: _FD, nstype: int, /) -> None: ...
def ns_get_userns(fd: _FD, /) -> int: ...
def ns_get_parent(fd: _FD, /) -> int: ...
def ns_get_nstype(fd: _FD, /) -> int: ...
def ns_get_owner_uid(fd: _FD, /) -> int: ...
def open_tree(dirfd: int = ..., path: _Path | None = None, flags: int = 0) -> int: ...
def move_mount(
    from_dirfd: int = ...,
    from_path: _Path = "",
    to_dirfd: int = ...,
    to_path: _Path = "",
    flags: int = 0,
) -> None: ...

# namespaces as fds
def open_pid(pid: int, type: int, /) -> int: ...
def open_pidfd(pidfd: _FD, type: int, /) -> int: ...
def open_path(path: _Path, type: int, /) -> int: ...
def handle(fd: _FD, /) -> str: ...
def open_handle(handle: str, /) -> int: ...
def limit_get(type: int, /) -> int: ...
def limit_set(type: int, limit: int, /) -> None: ...
def join_order() -> tuple[int, ...]: ...

# mount trees
def tree_clone(path: _Path, /) -> int: ...
def tree_attach(fd: int, path: _Path, /) -> None: ...

# discovery
@final
class Stats:
    namespaces: int
    processes: int
    threads: int
    fds: int
    mounts: int
    denied: int
    vanished: int
    failed: int
    tasks_bpf: int
    unresolved: int
    timed_out: int
    proc_hidden: bool

@final
class Node:
    @property
    def type(self) -> str: ...
    @property
    def ino(self) -> int: ...
    @property
    def id(self) -> int | None: ...
    @property
    def parent(self) -> Node | None: ...
    @property
    def owner(self) -> Node | None: ...
    @property
    def children(self) -> tuple[Node, ...]: ...
    @property
    def owned(self) -> tuple[Node, ...]: ...
    @property
    def nprocs(self) -> int: ...
    @property
    def pid(self) -> int | None: ...
    @property
    def comm(self) -> str | None: ...
    @property
    def found(self) -> frozenset[str]: ...
    @property
    def found_pid(self) -> int | None: ...
    @property
    def mount_path(self) -> str | None: ...
    @property
    def mount_ns(self) -> Node | None: ...
    @property
    def owner_uid(self) -> int | None: ...
    def get_parent(self) -> Node: ...
    def get_owner(self) -> Node: ...
    def open(self) -> BaseNamespace: ...

@final
class Snapshot:
    def __iter__(self) -> Iterator[Node]: ...
    def __len__(self) -> int: ...
    def roots(self, type: str, /) -> tuple[Node, ...]: ...
    @property
    def stats(self) -> Stats: ...

def discover(
    *,
    types: _Names = None,
    sources: _Names = None,
    no_bpf: bool = False,
    timeout: float | None = None,
) -> Snapshot: ...

# running code in other namespaces
def run(
    fn: Callable[[], bytes],
    capacity: int,
    /,
    *,
    pid: int | None = None,
    pidfd: _FD | None = None,
    namespaces: Sequence[_FD] | None = None,
    types: _Names = None,
) -> tuple[int, bytes]: ...
