"""Was the machine quiet while one peer measured? CPU time used by anything but that peer's worker.

This machine is shared: a process we cannot see (another container on the same kernel) sometimes
takes one of the 2 cores for minutes, and a peer that just finished can leave threads spinning
(OpenMP, OpenBLAS, XLA's pool) into the next peer's repetition. Either halves a 2-thread BLAS fit,
and with 5 repetitions one such minute moved a median by 40%. So each repetition reads the
machine's busy CPU time (/proc/stat) and the measuring worker's own (/proc/<pid>/stat) before
and after; what the worker did not use was used by something else. A repetition during which
something else used more than BUSY_LIMIT of a core is measured again (perf/run.py round_robin),
for every peer alike, and the results say how many were.

Linux only; elsewhere every repetition counts as quiet.
"""
from fastnn.engine.blas import TICKS_PER_SECOND, cpu_reading  # the readings fit's thread choice uses

BUSY_LIMIT = 0.25  # of one core, averaged over the repetition


class OtherLoad:
    """with OtherLoad(pid) as load: ...; then load.cores = the average number of cores something
    other than process `pid` kept busy meanwhile (0.0 where /proc is unavailable)."""

    def __init__(self, pid):
        self.pid, self.cores = pid, 0.0

    def __enter__(self):
        self.start = cpu_reading(self.pid)
        return self

    def __exit__(self, *exc):
        end = cpu_reading(self.pid)
        if self.start is not None and end is not None and end[2] > self.start[2]:
            other_ticks = (end[0] - self.start[0]) - (end[1] - self.start[1])
            # each of the four readings is whole ticks (10 ms), so up to 2 ticks are rounding: a
            # 2 ms repetition must not count one tick as five cores
            self.cores = max(other_ticks - 2, 0) / TICKS_PER_SECOND / (end[2] - self.start[2])
        return False

    @property
    def quiet(self):
        return self.cores <= BUSY_LIMIT
