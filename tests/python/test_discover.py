# SPDX-License-Identifier: LGPL-2.1-or-later
"""lxns.discover(): a known situation found, node by node, both through BPF and /proc."""
import errno
import os

import pytest
from conftest import as_nobody, forked, kernel_has_ns_id

import lxns
import lxns.os as los
from lxns.namespaces import NetworkNamespace, UserNamespace

COMM = b"py\xffhelper"  # not UTF-8: a process picks its own name


def ino(name: str, pid: int | str = "self") -> int:
    return os.stat(f"/proc/{pid}/ns/{name}").st_ino


def node_of(snap: lxns.Snapshot, type_: str, inode: int) -> lxns.Node:
    (node,) = [n for n in snap if n.type == type_ and n.ino == inode]
    return node


@pytest.mark.parametrize("no_bpf", [False, True])
def test_a_known_situation(nsproc, no_bpf):
    pid = nsproc(los.CLONE_NEWUSER | los.CLONE_NEWNET | los.CLONE_NEWPID, comm=COMM)
    snap = lxns.discover(no_bpf=no_bpf)
    assert len(snap) == snap.stats.namespaces == len(list(snap))
    assert (snap.stats.tasks_bpf > 0) != no_bpf
    user = node_of(snap, "user", ino("user", pid))
    net = node_of(snap, "net", ino("net", pid))
    pidns = node_of(snap, "pid", ino("pid", pid))
    top = node_of(snap, "user", ino("user"))

    assert user.parent == top and user.owner == top and user.get_parent() == top
    assert user in top.children and net in user.owned and pidns in user.owned
    assert net.owner == user and pidns.parent == node_of(snap, "pid", ino("pid"))
    # The helper's parent unshared the user namespace and forked it into the pid namespace.
    # also the parent's pid_for_children
    assert (pidns.nprocs, pidns.pid, pidns.found) == (1, pid, frozenset({"process", "children"}))
    assert user.nprocs == 2 and user.found == frozenset({"process"})
    assert pidns.comm == os.fsdecode(COMM) and os.fsencode(pidns.comm) == COMM
    assert user.owner_uid == 0 and net.owner_uid is None
    # The kernel's 64-bit id where it has one (6.18+), else None.
    assert (isinstance(user.id, int) and user.id > 0) if kernel_has_ns_id() else user.id is None
    assert top in snap.roots("user") and snap.roots("net") == ()
    assert repr(net) == f"<lxns.Node net:[{net.ino}]>"
    assert hash(net) == hash(node_of(snap, "net", net.ino))
    with net.open() as ns:
        assert isinstance(ns, NetworkNamespace) and ns.ns_id == net.ino


def test_relations_that_are_not_there():
    snap = lxns.discover()
    top = node_of(snap, "user", ino("user"))
    net = node_of(snap, "net", ino("net"))
    assert top.parent is None and net.parent is None
    with pytest.raises(PermissionError):
        top.get_parent()
    with pytest.raises(OSError) as e:
        net.get_parent()
    assert e.value.errno == errno.EINVAL
    assert net.get_owner() == top


def test_owner_not_in_the_snapshot(nsproc):
    pid = nsproc(los.CLONE_NEWUSER | los.CLONE_NEWNET)
    snap = lxns.discover(types="net", sources=["procs"])
    net = node_of(snap, "net", ino("net", pid))
    assert net.owner is None
    with pytest.raises(FileNotFoundError):  # it exists; the snapshot did not look for it
        net.get_owner()


def test_options():
    snap = lxns.discover(types={"user", "pid"}, sources=("procs", "hierarchy"), timeout=0.5)
    assert {n.type for n in snap} == {"user", "pid"}
    for bad in ({"types": ["nett"]}, {"sources": ["proc"]}, {"timeout": 0},
                {"types": []}):
        with pytest.raises(ValueError):
            lxns.discover(**bad)
    with pytest.raises(TypeError):
        lxns.discover(types=[1])
    with pytest.raises(TypeError):
        lxns.discover("user")


def test_stats_fields():
    stats = lxns.discover().stats
    names = ("namespaces", "processes", "threads", "fds", "mounts", "denied", "vanished",
             "failed", "tasks_bpf", "unresolved", "timed_out", "proc_hidden")
    assert all(isinstance(getattr(stats, n), int) for n in names)
    assert stats.processes > 0 and stats.proc_hidden is False and len(stats) == len(names)


def test_found_by_mount_and_fd(tmp_path, nsproc):
    pid = nsproc(los.CLONE_NEWNET)
    pin = tmp_path / "pin"

    def child():
        los.unshare(los.CLONE_NEWNS)
        os.system("mount --make-rprivate /")
        pin.touch()
        os.system(f"mount --bind /proc/{pid}/ns/net {pin}")
        with NetworkNamespace.from_pid(pid) as held:
            snap = lxns.discover(types="net")
            node = node_of(snap, "net", held.ns_id)
            mine = node_of(snap, "net", ino("net"))
            return node.found, node.mount_path, node.mount_ns.ino, mine.found_pid

    found, path, mntns, _ = forked(child)
    assert {"process", "mount", "fd"} <= found
    assert path == str(pin) and mntns != ino("mnt")


def test_many_times_no_leak():
    fds = len(os.listdir("/proc/self/fd"))
    sizes = {len(lxns.discover()) for _ in range(20)}
    assert len(os.listdir("/proc/self/fd")) == fds and min(sizes) > 0


def test_as_nobody():
    def child():
        as_nobody()
        snap = lxns.discover()
        top = node_of(snap, "user", ino("user"))
        return snap.stats.tasks_bpf, snap.stats.denied > 0, top.nprocs > 0

    assert forked(child) == (0, True, True)  # no BPF without privilege; /proc denies some
