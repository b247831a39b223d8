"""BLAS threads chosen per call (fastnn/engine/blas.py): fit gives OpenBLAS the cores not busy with
other work and restores the user's setting afterwards; the thread count never changes results."""
import numpy as np

from fastnn import Dense, Sequential
from fastnn.engine import blas


def blas_model():
    m = Sequential([Dense(64, input_dim=32, activation="relu"), Dense(48, activation="relu"), Dense(3)], seed=0)
    m.compile("adam", "mse")
    return m


def test_others_running_is_a_count_and_own_threads_are_not_counted():
    n = blas.others_running()
    assert isinstance(n, int) and n >= 0
    assert blas._own_running() >= 1


def test_fit_restores_the_thread_setting_and_results_do_not_depend_on_it(monkeypatch):
    x = np.random.default_rng(0).random((256, 32)).astype(np.float32)
    y = x[:, :3] * 2
    functions = blas._openblas_functions()
    histories = []
    for others in (0, 5):  # a quiet machine, then one with every core busy: 1 thread
        monkeypatch.setattr(blas, "others_running", lambda since=None, others=others: others)
        seen = []
        original = blas.ThreadsForLoad.adapt

        def recording(self, original=original, seen=seen):
            original(self)
            seen.append(functions[1]() if functions else None)
        monkeypatch.setattr(blas.ThreadsForLoad, "adapt", recording)
        before = functions[1]() if functions else None
        histories.append(blas_model().fit(x, y, epochs=3, batch_size=32, verbose=0).history["loss"])
        if functions:
            assert functions[1]() == before  # restored
            assert seen and (seen[0] == 1 if others else seen[0] == before)
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-6)


def test_two_fits_in_two_threads_leave_the_users_setting(monkeypatch):
    import threading

    functions = blas._openblas_functions()
    if not functions:
        return  # another BLAS: nothing is changed, nothing to restore
    monkeypatch.setattr(blas, "others_running", lambda since=None: 5)  # busy machine: each fit asks for 1 thread
    before = functions[1]()
    x = np.random.default_rng(1).random((512, 32)).astype(np.float32)
    errors = []

    def train():
        try:
            blas_model().fit(x, x[:, :3], epochs=4, batch_size=16, verbose=0)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=train) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and functions[1]() == before


def test_others_running_over_a_window_counts_another_process_cpu_time():
    import subprocess
    import sys
    import time

    if blas.cpu_reading() is None:
        return  # no /proc: the instantaneous count is all there is
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)
        since = blas.cpu_reading()
        time.sleep(0.5)  # this process sleeps; the other spins on a core
        assert blas.others_running(since) >= 1
    finally:
        busy.kill()


def test_fit_chooses_threads_from_what_others_used_since_the_last_choice(monkeypatch):
    calls = []
    monkeypatch.setattr(blas, "others_running", lambda since=None: calls.append(since) or 0)
    x = np.random.default_rng(2).random((2048, 32)).astype(np.float32)
    blas_model().fit(x, x[:, :3], epochs=3, batch_size=16, verbose=0)
    assert calls and calls[0] is None  # the first choice of a fit has no window yet
    if blas.cpu_reading() is not None and len(calls) > 1:
        assert all(c is not None for c in calls[1:])
