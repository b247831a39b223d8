"""perf/quiet.py: a repetition counts the CPU time other processes used, not the measured one's."""
import os
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

from perf.quiet import OtherLoad  # noqa: E402


def _spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_own_work_is_subtracted_and_others_work_is_not():
    # the same 0.8 s of spinning, seen from this process (its own work) and from an idle process
    # (someone else's work): the difference is the spinning, whatever else the machine does
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(0.2)
        with OtherLoad(os.getpid()) as own, OtherLoad(idle.pid) as seen_from_idle:
            _spin(0.8)
    finally:
        idle.kill()
    assert seen_from_idle.cores - own.cores >= 0.6
    assert not seen_from_idle.quiet


def test_unreadable_pid_counts_as_quiet():
    with OtherLoad(2**31 - 1) as load:
        time.sleep(0.05)
    assert load.cores == 0.0 and load.quiet


def test_a_pid_that_is_gone_gives_no_reading():
    from fastnn.engine.blas import cpu_reading

    assert cpu_reading(2**31 - 1) is None and cpu_reading() is not None
