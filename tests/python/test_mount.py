# SPDX-License-Identifier: LGPL-2.1-or-later
"""lxns.mount.ClonedTree, over lxns_tree_clone() and lxns_tree_attach()."""
import os
import subprocess
import warnings
from pathlib import Path

import pytest
from conftest import forked

import lxns.os as los
from lxns.mount import ClonedTree


def private_mounts(src: Path) -> None:
    """In a forked child: a mount namespace of its own, a tmpfs at src with a file and a
    submount."""
    los.unshare(los.CLONE_NEWNS)
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "none", str(src)], check=True)
    (src / "file").write_text("here")
    (src / "sub").mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "none", str(src / "sub")], check=True)
    (src / "sub" / "deeper").write_text("below")


def test_clone_and_mount(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    dst.mkdir()

    def child():
        private_mounts(src)
        with ClonedTree(src) as tree:  # a pathlib.Path
            assert repr(tree) == f"<ClonedTree original_path={src}>"
            tree.mount(str(dst))
        assert repr(tree) == f"<ClonedTree closed original_path={src}>"
        return (dst / "file").read_text(), (dst / "sub" / "deeper").exists()

    # The mount itself, not the one below it.
    assert forked(child) == ("here", False)


def test_closed_tree(tmp_path):
    def child():
        private_mounts(tmp_path)
        tree = ClonedTree(str(tmp_path))
        tree.close()
        tree.close()
        try:
            tree.mount(str(tmp_path))
        except ValueError as e:
            return str(e)

    assert forked(child) == "Tree is already closed."


def test_unclosed_tree_warns(tmp_path):
    def child():
        private_mounts(tmp_path)
        tree = ClonedTree(str(tmp_path))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del tree
        return [(w.category, str(w.message)) for w in caught]

    assert forked(child) == [(ResourceWarning, "unclosed tree")]


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        ClonedTree(tmp_path / "missing")

    def nobody():
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        ClonedTree("/tmp")

    with pytest.raises(PermissionError):
        forked(nobody)
