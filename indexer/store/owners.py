"""Who holds a lease: an owner id naming the host, the process and when it started.

A lease taken by a process that has since crashed would block its step or job until the lease runs out (minutes).
When the holder ran on this host, `gone` tells at once whether it is still running: its pid is free, a zombie, or
now belongs to a process that started at another time. Holders on other hosts are waited for, as before.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    started: str  # the process's start time in clock ticks since boot ("" where the system does not say)


def new_owner(role: str) -> str:
    pid = os.getpid()
    return f"{role}@{socket.gethostname()}:{pid}:{_started(pid) or ''}:{uuid.uuid4().hex[:8]}"


def holder(owner: str | None) -> Holder | None:
    """The host and process an owner id names; None for ids in another form (written before 0.2)."""
    if not owner or "@" not in owner:
        return None
    parts = owner.split("@", 1)[1].rsplit(":", 3)
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    return Holder(parts[0], int(parts[1]), parts[2])


def gone(owner: str | None) -> bool:
    """True when the owner was a process on this host that is no longer running."""
    h = holder(owner)
    if h is None or h.host != socket.gethostname():
        return False
    try:
        os.kill(h.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    started = _started(h.pid)
    return started is None or (bool(h.started) and started != h.started)


def _started(pid: int) -> str | None:
    """The process's start time from /proc; None when it is a zombie or gone, "" where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None if os.path.isdir("/proc") else ""
    except OSError:
        return ""
    return None if fields[0] == "Z" else fields[19]
