# SPDX-License-Identifier: LGPL-2.1-or-later
"""A program written for python-lxns: join the network namespace of a process, list its
interfaces. Usage: join_netns.py PID"""
import os
import socket
import sys

from lxns.namespaces import NetworkNamespace

pid = int(sys.argv[1])
print(NetworkNamespace.get_current_ns_id())
with NetworkNamespace.from_pid(pid) as ns:
    ns.setns()
print(os.stat("/proc/thread-self/ns/net").st_ino)
for _, name in socket.if_nameindex():
    print(name)
