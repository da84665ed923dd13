# SPDX-License-Identifier: LGPL-2.1-or-later
"""Suite-wide checks and helpers for the Python front's tests.

Around every test: the test process's fds, its namespaces and its mount table are the same
after as before, and no process it started is left (pytest is made a child subreaper, so
orphaned grandchildren come back to it and are seen). Namespace-changing code runs in forked
children (forked()); helper processes in namespaces of their own come from nsproc(), which
ends them and reaps them.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import gc
import os
import pickle
import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import lxns.os

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NAME = 15
PR_SET_CHILD_SUBREAPER = 36
NOBODY = 65534

libc = ctypes.CDLL(None, use_errno=True)


def prctl(option: int, arg: int | bytes) -> None:
    if libc.prctl(option, arg, 0, 0, 0) < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


NS_GET_ID = 0x8008B70D  # _IOR(0xb7, 0xd, __u64), Linux 6.18


def kernel_has_ns_id() -> bool:
    """Whether this kernel gives namespaces 64-bit ids (NS_GET_ID, Linux 6.18)."""
    with open("/proc/self/ns/net", "rb") as f:
        try:
            fcntl.ioctl(f.fileno(), NS_GET_ID, bytes(8))
        except OSError as e:
            if e.errno in (errno.ENOTTY, errno.EINVAL):
                return False
            raise
    return True


def handle_or_skip(ns: Any) -> str:
    """ns.handle(), or the test is skipped on a kernel without nsfs file handles."""
    try:
        return ns.handle()
    except OSError as e:
        if e.errno == errno.EOPNOTSUPP:
            pytest.skip("kernel without nsfs file handles (before 6.18)")
        raise


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def own_namespaces() -> dict[str, str]:
    return {n: os.readlink(f"/proc/self/ns/{n}") for n in os.listdir("/proc/self/ns")}


def mount_table() -> str:
    with open("/proc/self/mountinfo") as f:
        return f.read()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def pytest_configure(config: pytest.Config) -> None:
    prctl(PR_SET_CHILD_SUBREAPER, 1)


@pytest.fixture(autouse=True)
def clean() -> Iterator[None]:
    """Nothing leaked or changed by a test: fds, namespaces, mounts, processes."""
    gc.collect()
    fds, namespaces, mounts = open_fds(), own_namespaces(), mount_table()
    yield
    gc.collect()
    left = children_of(os.getpid())
    for pid in left:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert not left, f"processes left behind: {left}"
    assert open_fds() == fds, "fds leaked or closed"
    assert own_namespaces() == namespaces, "the test process's namespaces changed"
    assert mount_table() == mounts, "the mount table changed"


def forked(fn: Callable[[], Any]) -> Any:
    """fn() in a forked child: its result, or its exception raised here. For code that
    changes the process (setns, unshare, setuid), which the test process must not see."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            outcome = (True, fn())
        except BaseException as exc:
            outcome = (False, exc)
        try:
            os.write(w, pickle.dumps(outcome))
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and data, f"child died: status {status}"
    ok, value = pickle.loads(data)
    if not ok:
        raise value
    return value


def as_nobody() -> None:
    """Become uid/gid 65534 without capabilities (in a forked child)."""
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    # A uid change makes us non-dumpable, which would make /proc/self root's.
    prctl(PR_SET_DUMPABLE, 1)


@pytest.fixture
def nsproc() -> Iterator[Callable[..., int]]:
    """start(flags, comm=None) -> pid: a process in namespaces unshared with flags (for a new
    pid namespace, its first process), living until the test ends."""
    started: list[tuple[int, int]] = []

    def start(flags: int, comm: bytes | None = None) -> int:
        ready_r, ready_w = os.pipe()
        stop_r, stop_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(ready_r)
                os.close(stop_w)
                prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
                lxns.os.unshare(flags)
                target = 0 if flags & lxns.os.CLONE_NEWPID else os.getpid()
                if target == 0:
                    # The new pid namespace's first process (fork() gives its pid as we see it).
                    inner_r, inner_w = os.pipe()
                    target = os.fork()
                    if target == 0:
                        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
                        if comm is not None:
                            prctl(PR_SET_NAME, comm)
                        os.write(inner_w, b"x")
                        os.read(stop_r, 1)
                        os._exit(0)
                    os.read(inner_r, 1)
                elif comm is not None:
                    prctl(PR_SET_NAME, comm)
                os.write(ready_w, str(target).encode())
                os.read(stop_r, 1)  # until the test ends
                if target != os.getpid():
                    os.waitpid(target, 0)
            finally:
                os._exit(0)
        os.close(ready_w)
        os.close(stop_r)
        started.append((pid, stop_w))
        target = int(os.read(ready_r, 32))
        os.close(ready_r)
        return target

    yield start
    for pid, stop_w in started:
        os.close(stop_w)
        os.waitpid(pid, 0)
