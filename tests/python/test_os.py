# SPDX-License-Identifier: LGPL-2.1-or-later
"""lxns.os: the syscall wrappers of python-lxns, with the kernel's errnos."""
import errno
import fcntl
import os

import pytest
from conftest import NOBODY, as_nobody, forked

import lxns.os as los

AT_FDCWD = -100

CONSTANTS = {
    "CLONE_FILES": 0x400,
    "CLONE_FS": 0x200,
    "CLONE_NEWCGROUP": 0x2000000,
    "CLONE_NEWIPC": 0x8000000,
    "CLONE_NEWNET": 0x40000000,
    "CLONE_NEWNS": 0x20000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWTIME": 0x80,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWUTS": 0x4000000,
    "CLONE_SYSVSEM": 0x40000,
    "AT_EMPTY_PATH": 0x1000,
    "AT_NO_AUTOMOUNT": 0x800,
    "AT_SYMLINK_NOFOLLOW": 0x100,
    "AT_RECURSIVE": 0x8000,
    "OPEN_TREE_CLOEXEC": 0x80000,
    "OPEN_TREE_CLONE": 1,
    "MOVE_MOUNT_F_SYMLINKS": 1,
    "MOVE_MOUNT_F_AUTOMOUNTS": 2,
    "MOVE_MOUNT_F_EMPTY_PATH": 4,
    "MOVE_MOUNT_T_SYMLINKS": 0x10,
    "MOVE_MOUNT_T_EMPTY_PATH": 0x40,
}


def ns_fd(name: str, pid: int | str = "self") -> int:
    return os.open(f"/proc/{pid}/ns/{name}", os.O_RDONLY | os.O_CLOEXEC)


def ino(fd: int) -> int:
    return os.fstat(fd).st_ino


def cloexec(fd: int) -> bool:
    return bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)


def test_constants():
    assert {name: getattr(los, name) for name in CONSTANTS} == CONSTANTS
    assert set(los.__all__) == set(CONSTANTS) | {
        "unshare", "setns", "ns_get_userns", "ns_get_parent", "ns_get_nstype",
        "ns_get_owner_uid", "open_tree", "move_mount",
    }


def test_unshare_zero_is_a_noop():
    before = {n: os.readlink(f"/proc/self/ns/{n}") for n in os.listdir("/proc/self/ns")}
    assert los.unshare(0) is None
    assert before == {n: os.readlink(f"/proc/self/ns/{n}") for n in os.listdir("/proc/self/ns")}


def test_unshare_takes_any_clone_flags():
    def child():
        old = os.readlink("/proc/self/ns/uts")
        los.unshare(los.CLONE_FS | los.CLONE_FILES | los.CLONE_SYSVSEM | los.CLONE_NEWUTS)
        return old, os.readlink("/proc/self/ns/uts")

    old, new = forked(child)
    assert old != new


def test_unshare_takes_no_keywords():
    with pytest.raises(TypeError):
        los.unshare(flags=0)
    with pytest.raises(TypeError):
        los.setns(fd=0, nstype=0)


def test_unshare_errors():
    with pytest.raises(OSError) as e:
        los.unshare(0x1)  # not a flag unshare takes
    assert e.value.errno == errno.EINVAL

    def unprivileged():
        as_nobody()
        los.unshare(los.CLONE_NEWNET)

    with pytest.raises(PermissionError):
        forked(unprivileged)


def test_setns_enters(nsproc):
    pid = nsproc(los.CLONE_NEWUTS)

    def child():
        fd = ns_fd("uts", pid)
        los.setns(fd, los.CLONE_NEWUTS)
        return os.stat("/proc/self/ns/uts").st_ino, ino(fd)

    mine, theirs = forked(child)
    assert mine == theirs


def test_setns_errors(tmp_path):
    f = tmp_path / "regular"
    f.write_text("x")
    with open(f) as reg, pytest.raises(OSError) as e:
        los.setns(reg.fileno(), 0)
    assert e.value.errno == errno.EINVAL
    fd = ns_fd("net")
    try:
        with pytest.raises(OSError) as e:  # a net namespace is not a uts one
            los.setns(fd, los.CLONE_NEWUTS)
        assert e.value.errno == errno.EINVAL
    finally:
        os.close(fd)
    with pytest.raises(OSError) as e:
        los.setns(999, 0)
    assert e.value.errno == errno.EBADF


def test_relations_give_cloexec_fds(nsproc):
    pid = nsproc(los.CLONE_NEWUSER | los.CLONE_NEWPID)
    user, pidns, my_user, my_pid = ns_fd("user", pid), ns_fd("pid", pid), ns_fd("user"), ns_fd("pid")
    try:
        for fd, want in ((los.ns_get_userns(user), my_user), (los.ns_get_parent(user), my_user),
                         (los.ns_get_parent(pidns), my_pid), (los.ns_get_userns(pidns), user)):
            try:
                assert ino(fd) == ino(want)
                assert cloexec(fd)
            finally:
                os.close(fd)
    finally:
        for fd in (user, pidns, my_user, my_pid):
            os.close(fd)


def test_relation_errors(tmp_path):
    net, user = ns_fd("net"), ns_fd("user")
    f = tmp_path / "regular"
    f.write_text("x")
    try:
        with open(f) as reg:
            for call in (los.ns_get_userns, los.ns_get_parent, los.ns_get_nstype,
                         los.ns_get_owner_uid):
                with pytest.raises(OSError) as e:
                    call(reg.fileno())
                assert e.value.errno == errno.ENOTTY == 25
                with pytest.raises(OSError) as e:
                    call(999)
                assert e.value.errno == errno.EBADF
        with pytest.raises(OSError) as e:  # flat types have no parent
            los.ns_get_parent(net)
        assert e.value.errno == errno.EINVAL == 22
        with pytest.raises(PermissionError):  # the top
            los.ns_get_parent(user)
        with pytest.raises(OSError) as e:
            los.ns_get_owner_uid(net)
        assert e.value.errno == errno.EINVAL
    finally:
        os.close(net)
        os.close(user)


def test_nstype_and_owner_uid():
    for name, const in (("cgroup", los.CLONE_NEWCGROUP), ("ipc", los.CLONE_NEWIPC),
                        ("mnt", los.CLONE_NEWNS), ("net", los.CLONE_NEWNET),
                        ("pid", los.CLONE_NEWPID), ("time", los.CLONE_NEWTIME),
                        ("user", los.CLONE_NEWUSER), ("uts", los.CLONE_NEWUTS)):
        fd = ns_fd(name)
        try:
            assert los.ns_get_nstype(fd) == const
        finally:
            os.close(fd)
    with open("/proc/self/ns/user") as f:  # any object with fileno()
        assert los.ns_get_owner_uid(f) == 0


def test_owner_uid_unmapped_is_the_overflow_uid():
    def child():
        init = ns_fd("user")
        los.unshare(los.CLONE_NEWUSER)  # where root, init's creator, has no mapping
        return los.ns_get_owner_uid(init)

    assert forked(child) == NOBODY


def test_owner_hidden_from_a_child_user_namespace():
    def child():
        mine = ns_fd("user")
        los.unshare(los.CLONE_NEWUSER)
        return los.ns_get_userns(mine)  # above our new user namespace

    with pytest.raises(PermissionError):
        forked(child)


def test_open_tree_and_move_mount(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    dst.mkdir()

    def child():
        los.unshare(los.CLONE_NEWNS)
        os.system("mount --make-rprivate / && mount -t tmpfs none " + str(src))
        (src / "file").write_text("here")
        plain = los.open_tree(path=str(src), flags=los.OPEN_TREE_CLONE)
        tree = los.open_tree(AT_FDCWD, src, los.OPEN_TREE_CLONE | los.OPEN_TREE_CLOEXEC)
        flags = cloexec(plain), cloexec(tree)
        los.move_mount(from_dirfd=tree, to_path=str(dst), flags=los.MOVE_MOUNT_F_EMPTY_PATH)
        return flags, (dst / "file").read_text()

    assert forked(child) == ((False, True), "here")


def test_open_tree_errors(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        los.open_tree(path=tmp_path / "missing")
    assert e.value.filename == str(tmp_path / "missing")  # as os.open() names it

    def child():
        as_nobody()
        los.open_tree(path="/", flags=los.OPEN_TREE_CLONE | los.OPEN_TREE_CLOEXEC)

    with pytest.raises(PermissionError):
        forked(child)
    with pytest.raises(OSError) as e:  # from "" without AT_EMPTY_PATH
        los.move_mount(to_path=str(tmp_path))
    assert e.value.errno == errno.ENOENT
