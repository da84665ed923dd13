# SPDX-License-Identifier: LGPL-2.1-or-later
"""linuxns_rel over lxns: every name, every kind of reference, every error."""
import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import linuxns_rel as rel
import lxns.os as los

PROGRAMS = Path(__file__).parent / "programs"


def ino(name: str, pid: int | str = "self") -> int:
    return os.stat(f"/proc/{pid}/ns/{name}").st_ino


def test_constants():
    assert isinstance(rel.__version__, str)
    assert (rel.CLONE_NEWCGROUP, rel.CLONE_NEWIPC, rel.CLONE_NEWNS, rel.CLONE_NEWNET,
            rel.CLONE_NEWPID, rel.CLONE_NEWUSER, rel.CLONE_NEWUTS) == (
        0x2000000, 0x8000000, 0x20000, 0x40000000, 0x20000000, 0x10000000, 0x4000000)
    assert not hasattr(rel, "CLONE_NEWTIME")
    assert (rel.NSIO, rel.NS_GET_USERNS, rel.NS_GET_PARENT, rel.NS_GET_NSTYPE,
            rel.NS_GET_OWNER_UID) == (0xB7, 0xB701, 0xB702, 0xB703, 0xB704)
    assert sorted(rel.NAMESPACE_TYPE_NAMES.values()) == [
        "cgroup", "ipc", "mnt", "net", "pid", "user", "uts"]


def test_nstype_str():
    for value, name in rel.NAMESPACE_TYPE_NAMES.items():
        assert rel.nstype_str(value) == name
    with pytest.raises(ValueError) as e:
        rel.nstype_str(0x80)  # time: newer than the original
    assert str(e.value) == "invalid namespace type value 128/0x80"


def test_every_kind_of_reference():
    path = "/proc/self/ns/net"
    with open(path) as f:
        for ref in (path, f.fileno(), f):
            assert rel.get_nstype(ref) == rel.CLONE_NEWNET
            with rel.get_userns(ref) as owner:
                assert isinstance(owner, io.TextIOWrapper)
                assert os.fstat(owner.fileno()).st_ino == ino("user")
    assert rel.get_owner_uid("/proc/self/ns/user") == 0


@pytest.mark.parametrize("ref", [1.5, None, b"/proc/self/ns/net", Path("/proc/self/ns/net")])
def test_other_references_are_typeerrors(ref):
    for call in (rel.get_nstype, rel.get_userns, rel.get_parentns, rel.get_owner_uid):
        with pytest.raises(TypeError) as e:
            call(ref)
        assert str(e.value) == f"namespace reference must be str, int or TextIO, not {type(ref)}"


def test_parents(nsproc):
    pid = nsproc(los.CLONE_NEWUSER | los.CLONE_NEWPID)
    for name in ("user", "pid"):
        with rel.get_parentns(f"/proc/{pid}/ns/{name}") as parent:
            assert os.fstat(parent.fileno()).st_ino == ino(name)
        with rel.get_nsrel(f"/proc/{pid}/ns/{name}", rel.NS_GET_PARENT) as parent:
            assert os.fstat(parent.fileno()).st_ino == ino(name)
    with pytest.raises(ValueError):
        rel.get_nsrel("/proc/self/ns/user", rel.NS_GET_NSTYPE)


def test_errors(tmp_path):
    with pytest.raises(PermissionError):
        rel.get_parentns("/proc/self/ns/user")  # the top
    with pytest.raises(OSError) as e:
        rel.get_parentns("/proc/self/ns/net")
    assert e.value.errno == errno.EINVAL == 22
    with pytest.raises(OSError) as e:
        rel.get_owner_uid("/proc/self/ns/net")
    assert e.value.errno == errno.EINVAL
    (tmp_path / "f").write_text("x")
    for call in (rel.get_nstype, rel.get_userns, rel.get_parentns, rel.get_owner_uid):
        with pytest.raises(OSError) as e:
            call(str(tmp_path / "f"))
        assert e.value.errno == errno.ENOTTY == 25
        with pytest.raises(FileNotFoundError):
            call(str(tmp_path / "missing"))


def test_lsuserns_program_runs_unchanged(nsproc):
    """A linuxns_rel program with only its import path pointed at the build sees the
    nested user namespaces of a helper."""
    outer = nsproc(los.CLONE_NEWUSER)
    out = subprocess.run([sys.executable, PROGRAMS / "lsuserns_rel.py"], check=True,
                         capture_output=True, text=True).stdout
    lines = out.splitlines()
    assert lines[0] == f"user:[{ino('user')}] owner 0"
    assert f"  user:[{ino('user', outer)}] owner 0" in lines
