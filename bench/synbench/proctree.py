"""CPU time and peak memory of a process and its descendants, read from /proc."""

from __future__ import annotations

import os
import time

from .common import BenchError

TICK = os.sysconf("SC_CLK_TCK")


def parse_stat(text: str) -> tuple[int, int]:
    """(ppid, utime + stime + cutime + cstime in clock ticks) from the text of /proc/PID/stat.

    The command name (field 2) may hold spaces and parentheses, so the fields are counted from
    its last `)`. cutime/cstime hold the times of children it has already reaped, so a worker that
    exits during the measurement still counts (its parent is in the tree)."""
    rest = text[text.rindex(")") + 2:].split()  # fields from `state` (field 3) on
    ppid = int(rest[1])
    utime, stime, cutime, cstime = (int(x) for x in rest[11:15])
    return ppid, utime + stime + cutime + cstime


def parse_thread_stat(text: str) -> int:
    """utime + stime in clock ticks from the text of /proc/PID/task/TID/stat: that one thread's
    own CPU time (its cutime and cstime are the whole process's, so they are left out)."""
    rest = text[text.rindex(")") + 2:].split()
    return int(rest[11]) + int(rest[12])


def read_stat(pid: int) -> tuple[int, int] | None:
    """`parse_stat` of one process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return parse_stat(f.read())
    except (FileNotFoundError, ProcessLookupError):
        return None


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = read_stat(int(entry))
            if st:
                children.setdefault(st[0], []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def tree_cpu_split(root: int) -> tuple[float, float, int]:
    """CPU seconds (user + system) of `root` and all its descendants, the part of them spent on
    their main threads (the thread whose id is its process's: in a Node process the event loop;
    its other threads are libuv's pool and V8's helpers), and how many processes. Each process's
    two numbers are read one after the other, in one pass over the tree."""
    total, main, n = 0, 0, 0
    for pid in process_tree(root):
        st = read_stat(pid)
        if not st:
            continue
        total += st[1]
        n += 1
        try:
            with open(f"/proc/{pid}/task/{pid}/stat", encoding="ascii", errors="replace") as f:
                main += parse_thread_stat(f.read())
        except (FileNotFoundError, ProcessLookupError):
            pass
    if n == 0:
        raise BenchError(f"server process {root} is gone")
    return total / TICK, main / TICK, n


def tree_cpu_seconds(root: int) -> tuple[float, int]:
    """CPU seconds (user + system) of `root` and all its descendants, and how many processes."""
    total, _main, n = tree_cpu_split(root)
    return total, n


def status_kib(pid: int, field: str) -> int | None:
    """A `field:` line of /proc/PID/status (VmHWM, VmRSS...) in KiB, or None."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def tree_peak_rss_kib(root: int) -> tuple[int, int]:
    """Sum of VmHWM (peak resident set) over the process tree, in KiB, and how many processes."""
    total, n = 0, 0
    for pid in process_tree(root):
        kib = status_kib(pid, "VmHWM")
        if kib is not None:
            total += kib
            n += 1
    return total, n


def wait_quiet(root: int, limit: float = 15.0, ticks: int = 1) -> None:
    """Waits until the server tree burns (almost) no CPU, at most `ticks` clock ticks in half a
    second: work queued by the previous load is done."""
    deadline = time.monotonic() + limit
    before, _ = tree_cpu_seconds(root)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now, _ = tree_cpu_seconds(root)
        if now - before <= ticks / TICK + 1e-9:
            return
        before = now


def children_cpu_seconds() -> float:
    """User + system CPU seconds of this script's reaped children (the load generators)."""
    t = os.times()
    return t.children_user + t.children_system
