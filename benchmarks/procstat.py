"""CPU and memory of another process, read from /proc, so the measuring process is never the measured one.

Linux only (as the harness is). CPU is utime+stime plus the reaped children's cutime+cstime, in
seconds; memory is VmRSS (now) and VmHWM (the peak of this program image: unlike rusage's
ru_maxrss it does not inherit the forking parent's high-water mark across exec).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcSample:
    cpu_s: float
    rss_mb: float
    hwm_mb: float


def cpu_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime of `pid` in seconds (10 ms resolution)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        stat = fh.read()
    # the command name (field 2) may hold spaces and parentheses: split after its closing one
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return (utime + stime + cutime + cstime) / _TICK


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of `pid` in MB."""
    rss = hwm = 0.0
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return rss, hwm


def sample(pid: int) -> ProcSample:
    rss, hwm = memory_mb(pid)
    return ProcSample(cpu_seconds(pid), rss, hwm)


def load1() -> float:
    """The 1-minute load average: every result carries it from before and after, to judge noise."""
    return round(os.getloadavg()[0], 2)
