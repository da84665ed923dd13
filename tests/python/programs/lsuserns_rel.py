# SPDX-License-Identifier: LGPL-2.1-or-later
"""A program written for linuxns_rel, in the manner of its lsuserns: walk every process's user
namespace up to the top with get_userns()/get_parentns(), and print the hierarchy as
"user:[N] owner UID" lines indented by depth."""
import os

from linuxns_rel import get_owner_uid, get_parentns

parents = {}  # inode -> parent inode (None at the top we may see)
owners = {}
for pid in (p for p in os.listdir("/proc") if p.isdigit()):
    try:
        ns = open(f"/proc/{pid}/ns/user")
    except OSError:
        continue
    while ns is not None:
        with ns:
            ino = os.fstat(ns.fileno()).st_ino
            if ino in parents:
                break
            owners[ino] = get_owner_uid(ns)
            try:
                parent = get_parentns(ns)
            except PermissionError:
                parent = None
            parents[ino] = None if parent is None else os.fstat(parent.fileno()).st_ino
        ns = parent


def show(ino, depth):
    print(f"{'  ' * depth}user:[{ino}] owner {owners[ino]}")
    for child in sorted(i for i, p in parents.items() if p == ino):
        show(child, depth + 1)


for top in sorted(i for i, p in parents.items() if p is None):
    show(top, 0)
