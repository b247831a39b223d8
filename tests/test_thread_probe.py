"""engine/thread_probe.py: one BLAS thread is tried when the usual count runs slow, and kept while
it is faster; on a steady machine the usual count stays (after one probe per kind of work)."""
import itertools

from fastnn.engine.thread_probe import HOLD, SLOW, ThreadProbe

_keys = itertools.count()


def probe():
    return ThreadProbe(("test", next(_keys)))  # a kind of work no other test has seen


def run(p, cap, per_batch_for, slices):
    """slices of 10 batches; per_batch_for(threads) gives the seconds per batch; returns the choices"""
    chosen = []
    for _ in range(slices):
        t = p.choose(cap)
        chosen.append(t)
        p.record(per_batch_for(t) * 10, 10)
    return chosen


def test_a_steady_machine_keeps_the_usual_count_after_one_probe():
    p = probe()
    chosen = run(p, 2, {1: 1.7, 2: 1.0}.get, 30)
    assert chosen[:3] == [2, 1, 2]  # one look at one thread, which is slower
    assert chosen[3:] == [2] * 27


def test_a_second_fit_of_the_same_work_does_not_probe_again():
    key = ("test", next(_keys))
    run(ThreadProbe(key), 2, {1: 1.7, 2: 1.0}.get, 5)
    assert run(ThreadProbe(key), 2, {1: 1.7, 2: 1.0}.get, 10) == [2] * 10


def test_when_two_threads_slow_down_past_one_thread_one_is_kept_then_two_retried():
    p = probe()
    run(p, 2, {1: 1.7, 2: 1.0}.get, 5)  # the usual speeds are known
    speeds = {1: 1.7, 2: 2.6}  # now two threads run slower than one (a shared core)
    chosen = run(p, 2, speeds.get, 2 + HOLD + 1)
    assert chosen[0] == 2 and chosen[1] == 1  # the slow slice, then the probe
    assert chosen[2:2 + HOLD] == [1] * HOLD  # one thread is faster: kept
    assert chosen[2 + HOLD] == 2  # then the usual count gets another chance


def test_a_slowdown_that_hits_one_thread_too_goes_back_to_the_usual_count():
    p = probe()
    run(p, 2, {1: 1.7, 2: 1.0}.get, 5)
    chosen = run(p, 2, {1: 3.0, 2: SLOW * 1.0 + 0.1}.get, 4)  # slower than SLOW x best, but one thread is worse
    assert chosen == [2, 1, 2, 1]  # probes, finds two threads still faster, keeps them


def test_one_free_core_means_one_thread():
    p = probe()
    assert run(p, 1, {1: 1.0, 2: 0.5}.get, 5) == [1] * 5


def test_slices_without_batches_or_time_are_ignored():
    p = probe()
    p.choose(2)
    p.record(0.0, 10)
    p.record(1.0, 0)
    assert p.best == {} and p.last == {}
