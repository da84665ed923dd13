# SPDX-License-Identifier: LGPL-2.1-or-later
"""lxns.run(): a callable inside another process's namespaces, ours unchanged (the suite checks
that around every test), its result or exception back, with threads running meanwhile."""
import os
import signal
import socket
import threading

import pytest
from conftest import as_nobody, forked

import lxns
import lxns.os as los
from lxns.namespaces import NetworkNamespace, UtsNamespace


def ino(name: str, pid: int | str = "self") -> int:
    return os.stat(f"/proc/{pid}/ns/{name}").st_ino


def inside() -> dict[str, int]:
    return {n: ino(n) for n in ("user", "net", "uts", "pid")}


def test_result_comes_back(nsproc):
    pid = nsproc(los.CLONE_NEWUSER | los.CLONE_NEWNET | los.CLONE_NEWUTS)
    seen = lxns.run(inside, pid=pid)
    assert seen == {**inside(), **{n: ino(n, pid) for n in ("user", "net", "uts")}}
    assert lxns.run(socket.if_nameindex, pid=pid) == [(1, "lo")]


def test_only_the_types_named(nsproc):
    pid = nsproc(los.CLONE_NEWNET | los.CLONE_NEWUTS)
    assert lxns.run(inside, pid=pid, types={"net"}) == {**inside(), "net": ino("net", pid)}


def test_pid_namespace_runs_inside(nsproc):
    pid = nsproc(los.CLONE_NEWPID)
    assert lxns.run(lambda: (os.getpid(), ino("pid")), pid=pid) == (2, ino("pid", pid))


def test_pidfd_and_namespace_targets(nsproc):
    pid = nsproc(los.CLONE_NEWNET | los.CLONE_NEWUTS)
    pidfd = os.pidfd_open(pid)
    try:
        assert lxns.run(lambda: ino("net"), pidfd=pidfd) == ino("net", pid)
    finally:
        os.close(pidfd)
    with NetworkNamespace.from_pid(pid) as net, UtsNamespace.from_pid(pid) as uts:
        assert lxns.run(inside, namespaces=[net, uts]) == {
            **inside(), "net": ino("net", pid), "uts": ino("uts", pid)}


def test_pidfd_zero_is_a_pidfd(nsproc):
    pid = nsproc(los.CLONE_NEWNET)

    def child():
        pidfd = os.pidfd_open(pid)
        os.dup2(pidfd, 0)
        os.close(pidfd)
        return lxns.run(lambda: ino("net"), pidfd=0)

    assert forked(child) == ino("net", pid)


def test_exceptions_come_back(nsproc):
    pid = nsproc(los.CLONE_NEWNET)

    def fails():
        raise KeyError("inside")

    with pytest.raises(KeyError) as e:
        lxns.run(fails, pid=pid)
    assert e.value.args == ("inside",)
    assert "in the process that ran it" in e.value.__notes__[0]
    assert "fails" in e.value.__notes__[0]
    with pytest.raises(TypeError, match="cannot be sent back"):
        lxns.run(lambda: threading.Lock(), pid=pid)
    with pytest.raises(ValueError, match="max_result=100"):
        lxns.run(lambda: b"x" * 1000, pid=pid, max_result=100)


def test_a_child_dying_without_a_result(nsproc):
    pid = nsproc(los.CLONE_NEWNET)
    with pytest.raises(lxns.RunError) as e:
        lxns.run(lambda: os._exit(3), pid=pid)
    assert os.waitstatus_to_exitcode(e.value.status) == 3
    with pytest.raises(lxns.RunError, match="signal 9"):
        lxns.run(lambda: os.kill(os.getpid(), signal.SIGKILL), pid=pid)


def test_target_errors():
    with pytest.raises(ProcessLookupError):
        lxns.run(inside, pid=2**22 + 1)
    with pytest.raises(TypeError):
        lxns.run(inside)
    with pytest.raises(TypeError):
        lxns.run(inside, pid=os.getpid(), pidfd=0)
    with pytest.raises(ValueError):
        lxns.run(inside, pid=os.getpid(), types=["nett"])


def test_unprivileged_caller(nsproc):
    pid = nsproc(los.CLONE_NEWNET)

    def child():
        as_nobody()
        lxns.run(inside, pid=pid)

    with pytest.raises(PermissionError):
        forked(child)


def test_threads_go_on_while_the_child_runs(nsproc):
    """The GIL is released while waiting, and a thread holding it at no bad moment for the
    fork: the child's Python works and the thread's counter moves."""
    pid = nsproc(los.CLONE_NEWNET)
    stop = threading.Event()
    counted = [0]

    def count():
        while not stop.is_set():
            counted[0] += 1

    t = threading.Thread(target=count)
    t.start()
    try:
        before = counted[0]
        results = [lxns.run(lambda: sum(range(10**6)) and ino("net"), pid=pid) for _ in range(5)]
        moved = counted[0] - before
    finally:
        stop.set()
        t.join()
    assert results == [ino("net", pid)] * 5 and moved > 0


def test_repeated_runs_leak_nothing(nsproc):
    pid = nsproc(los.CLONE_NEWUTS)
    fds = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        assert lxns.run(lambda: ino("uts"), pid=pid) == ino("uts", pid)
    assert len(os.listdir("/proc/self/fd")) == fds
