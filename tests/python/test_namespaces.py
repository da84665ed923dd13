# SPDX-License-Identifier: LGPL-2.1-or-later
"""lxns.namespaces: the namespace classes of python-lxns, and what lxns adds to them."""
import errno
import fcntl
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import NOBODY, as_nobody, forked, handle_or_skip

import lxns.namespaces as lns
import lxns.os as los
from lxns.namespaces import (
    ALL_NAMESPACE_CLASSES,
    BaseNamespace,
    CgroupNamespace,
    IpcNamespace,
    MountNamespace,
    NetworkNamespace,
    PidNamespace,
    TimeNamespace,
    UserNamespace,
    UtsNamespace,
    unshare_namespaces,
)

CLASSES = {
    CgroupNamespace: (los.CLONE_NEWCGROUP, "cgroup"),
    IpcNamespace: (los.CLONE_NEWIPC, "ipc"),
    NetworkNamespace: (los.CLONE_NEWNET, "net"),
    MountNamespace: (los.CLONE_NEWNS, "mnt"),
    PidNamespace: (los.CLONE_NEWPID, "pid"),
    TimeNamespace: (los.CLONE_NEWTIME, "time"),
    UserNamespace: (los.CLONE_NEWUSER, "user"),
    UtsNamespace: (los.CLONE_NEWUTS, "uts"),
}
PROGRAMS = Path(__file__).parent / "programs"


def proc_ino(name: str, pid: int | str = "self") -> int:
    return os.stat(f"/proc/{pid}/ns/{name}").st_ino


def test_names():
    assert (BaseNamespace.NAMESPACE_CONSTANT, BaseNamespace.NAMESPACE_PROC_NAME) == (-1, "\0")
    for cls, (const, name) in CLASSES.items():
        assert (cls.NAMESPACE_CONSTANT, cls.NAMESPACE_PROC_NAME) == (const, name)
        assert issubclass(cls, BaseNamespace)
    assert sorted(lns.__all__) == sorted([c.__name__ for c in CLASSES] + ["unshare_namespaces"])
    assert len(ALL_NAMESPACE_CLASSES) == 8 and set(ALL_NAMESPACE_CLASSES) == set(CLASSES)
    assert ALL_NAMESPACE_CLASSES[0] is UserNamespace


@pytest.mark.parametrize("cls", list(CLASSES))
def test_open_every_type(cls):
    name = cls.NAMESPACE_PROC_NAME
    for ns in (cls.from_self(), cls.from_pid("self"), cls.from_pid(os.getpid())):
        with ns:
            assert isinstance(ns, cls)
            assert ns.ns_id == proc_ino(name)
            assert fcntl.fcntl(ns.fileno(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC
            assert repr(ns) == f"<{cls.__name__} id={proc_ino(name)}>"
        assert repr(ns) == f"<{cls.__name__} id=closed>"
    assert cls.get_current_ns_id() == proc_ino(name)


def test_wrong_type_leaves_the_fd_alone():
    fd = os.open("/proc/self/ns/uts", os.O_RDONLY | os.O_CLOEXEC)
    try:
        with pytest.raises(ValueError) as e:
            NetworkNamespace(fd)
        assert str(e.value) == f"File descriptor {fd} does not reference the NetworkNamespace namespace."
        assert os.fstat(fd).st_ino == proc_ino("uts")  # still open, still the same
    finally:
        os.close(fd)


def test_not_a_namespace(tmp_path):
    with open(tmp_path / "f", "w") as f:
        with pytest.raises(OSError) as e:
            UtsNamespace(f.fileno())
        assert e.value.errno == errno.ENOTTY == 25


def test_missing_process():
    for pid in (2**22 + 1, 0, -1):
        with pytest.raises(FileNotFoundError):
            NetworkNamespace.from_pid(pid)


def test_closed_object_raises_valueerror():
    ns = UserNamespace.from_self()
    ns.close()
    ns.close()  # any number of times
    for call in (ns.fileno, lambda: ns.ns_id, ns.setns, ns.get_user_namespace, ns.get_parent,
                 ns.handle, lambda: ns.owner_uid):
        with pytest.raises(ValueError):
            call()


def test_closefd():
    fd = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    ns = NetworkNamespace(fd, closefd=False)
    ns.close()
    os.fstat(fd)  # still open
    with NetworkNamespace(fd) as ns:
        assert ns.fileno() == fd
    with pytest.raises(OSError) as e:
        os.fstat(fd)
    assert e.value.errno == errno.EBADF


def test_unclosed_object_warns_and_closes():
    ns = UtsNamespace.from_self()
    fd, nsid = ns.fileno(), ns.ns_id
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del ns
    assert [str(w.message) for w in caught] == [f"unclosed namespace <UtsNamespace id={nsid}>"]
    assert caught[0].category is ResourceWarning
    with pytest.raises(OSError):
        os.fstat(fd)


def test_setns_and_user_namespace(nsproc):
    pid = nsproc(los.CLONE_NEWUSER | los.CLONE_NEWUTS)

    def child():
        with UtsNamespace.from_pid(pid) as uts, uts.get_user_namespace() as user:
            owner = user.ns_id
            user.setns()
            uts.setns()
        return owner, proc_ino("user"), proc_ino("uts")

    assert forked(child) == (proc_ino("user", pid), proc_ino("user", pid), proc_ino("uts", pid))


def test_setns_errors():
    def child():
        with UserNamespace.from_self() as ns:
            ns.setns()  # the kernel refuses our own user namespace

    with pytest.raises(OSError) as e:
        forked(child)
    assert e.value.errno == errno.EINVAL

    def nobody():
        with NetworkNamespace.from_self() as ns:
            as_nobody()
            ns.setns()

    with pytest.raises(PermissionError):
        forked(nobody)


def test_relations(nsproc):
    pid = nsproc(los.CLONE_NEWUSER | los.CLONE_NEWPID)
    with UserNamespace.from_pid(pid) as user, PidNamespace.from_pid(pid) as pidns:
        with user.get_parent() as up, pidns.get_parent() as pp, pidns.get_user_namespace() as po:
            assert (type(up), up.ns_id) == (UserNamespace, proc_ino("user"))
            assert (type(pp), pp.ns_id) == (PidNamespace, proc_ino("pid"))
            assert po.ns_id == user.ns_id
        assert user.owner_uid == 0
    with UserNamespace.from_self() as top, pytest.raises(PermissionError):
        top.get_parent()
    with NetworkNamespace.from_self() as net:
        with pytest.raises(OSError) as e:
            net.get_parent()
        assert e.value.errno == errno.EINVAL
        with pytest.raises(OSError) as e:
            net.owner_uid
        assert e.value.errno == errno.EINVAL


def test_from_pidfd(nsproc):
    pid = nsproc(los.CLONE_NEWNET)
    pidfd = os.pidfd_open(pid)
    try:
        with NetworkNamespace.from_pidfd(pidfd) as ns:
            assert ns.ns_id == proc_ino("net", pid)
    finally:
        os.close(pidfd)
    with pytest.raises(OSError) as e:
        NetworkNamespace.from_pidfd(999)
    assert e.value.errno == errno.EBADF


def test_handles(nsproc):
    pid = nsproc(los.CLONE_NEWNET)
    with NetworkNamespace.from_pid(pid) as ns:
        handle = handle_or_skip(ns)
        assert re.fullmatch(r"nsfs:[0-9a-f]+:[0-9a-f]+", handle)
        with NetworkNamespace.from_handle(handle) as again, BaseNamespace.from_handle(handle) as any_:
            assert again.ns_id == any_.ns_id == ns.ns_id
            assert type(any_) is NetworkNamespace
        with pytest.raises(ValueError):  # another type: the new fd is not leaked (suite check)
            UtsNamespace.from_handle(handle)
    with pytest.raises(ValueError):
        BaseNamespace.from_handle("nsfs:zz")


def test_handle_of_a_namespace_gone():
    with NetworkNamespace.from_self() as ns:
        handle_or_skip(ns)

    def make():
        los.unshare(los.CLONE_NEWNET)
        with NetworkNamespace.from_self() as ns:
            return ns.handle()

    handle = forked(make)  # the namespace died with the child
    with pytest.raises(OSError) as e:
        NetworkNamespace.from_handle(handle)
    assert e.value.errno == errno.ESTALE


def test_unshare_and_unshare_namespaces():
    def child():
        before = proc_ino("uts"), proc_ino("ipc")
        unshare_namespaces()  # nothing asked: nothing done
        same = (proc_ino("uts"), proc_ino("ipc")) == before
        UtsNamespace.unshare()
        unshare_namespaces(ipc=True, network=True)
        return same, proc_ino("uts") != before[0], proc_ino("ipc") != before[1]

    assert forked(child) == (True, True, True)
    with pytest.raises(TypeError):
        unshare_namespaces(True)

    def nobody():
        as_nobody()
        NetworkNamespace.unshare()

    with pytest.raises(PermissionError):
        forked(nobody)


def test_limits():
    path = Path("/proc/sys/user/max_net_namespaces")
    assert NetworkNamespace.get_current_limit() == int(path.read_text())

    def child():
        los.unshare(los.CLONE_NEWUSER)  # limits are per user namespace
        NetworkNamespace.set_current_limit(7)
        return NetworkNamespace.get_current_limit(), int(path.read_text())

    assert forked(child) == (7, 7)
    assert NetworkNamespace.get_current_limit() == int(path.read_text()) != 7
    with pytest.raises(OSError) as e:
        forked(lambda: NetworkNamespace.set_current_limit(-1))
    assert e.value.errno == errno.EINVAL

    def nobody():
        as_nobody()
        NetworkNamespace.set_current_limit(7)

    with pytest.raises(PermissionError):
        forked(nobody)


def test_python_lxns_program_runs_unchanged(nsproc):
    """A script written for python-lxns, with only its import path pointed at the build."""
    pid = nsproc(los.CLONE_NEWNET | los.CLONE_NEWUTS)
    out = subprocess.run([sys.executable, PROGRAMS / "join_netns.py", str(pid)], check=True,
                         capture_output=True, text=True, env=dict(os.environ)).stdout
    assert out.split() == [str(proc_ino("net")), str(proc_ino("net", pid)), "lo"]
