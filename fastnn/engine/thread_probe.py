"""Whether one BLAS thread beats several right now, judged from the speed of the last slices.

On a virtual machine whose cores are shared with other guests, a two-thread fit can run at half
its usual speed, or slower than one thread, with nothing visible inside the machine: here a
quiet L fit ran at 52k samples/s on two threads and 66k on one, in the same minute, while
/proc/stat showed no other work. OpenBLAS splits each product evenly between its threads, so one
slowed core stalls every product. The CPU-time check (engine/blas.py, others_running) cannot
see this; the fit's own speed can.

ThreadProbe watches seconds per batch of each slice of a long epoch (engine/loop.py,
_epoch_in_slices). The next slice tries one thread when a slice with the usual thread count ran
SLOW times slower than the best seen with it, or slower than one thread's best, and once per
kind of work (the model's size, batch and dtype; remembered across fits) to learn one thread's
speed. If one thread was faster, it stays for HOLD slices (about a second), then the usual count
gets another chance. On a quiet machine that costs one slice at one thread per kind of work.
"""
SLOW = 1.4  # a slice this much slower than the best seen with the same threads triggers a probe
HOLD = 10  # slices kept on one thread after a probe showed it faster
_MEMORY_LIMIT = 64  # kinds of work remembered

_best = {}  # work key -> {threads: best seconds per batch}


class ThreadProbe:
    def __init__(self, key):
        if key not in _best and len(_best) >= _MEMORY_LIMIT:
            _best.pop(next(iter(_best)))
        self.best = _best.setdefault(key, {})
        self.last = {}  # threads -> seconds per batch of the latest slice run with them
        self.threads = None  # what the last choice was
        self.probing = False
        self.hold = 0

    def record(self, seconds, batches):
        """The slice just run with the last choice took `seconds` for `batches` batches."""
        if self.threads is None or batches <= 0 or seconds <= 0:
            return
        per_batch = seconds / batches
        self.last[self.threads] = per_batch
        self.best[self.threads] = min(self.best.get(self.threads, per_batch), per_batch)

    def choose(self, cap):
        """Threads for the next slice, at most cap (the cores other processes leave free)."""
        self.threads = self._choose(cap)
        return self.threads

    def _choose(self, cap):
        if cap <= 1:
            self.probing, self.hold = False, 0
            return 1
        if self.probing:  # the last slice ran one thread to compare
            self.probing = False
            if self.last.get(1, float("inf")) < self.last.get(cap, float("inf")):
                self.hold = HOLD - 1  # this slice is the first of the HOLD
                return 1
            return cap
        if self.hold > 0:
            self.hold -= 1
            return 1
        if self.threads == cap and cap in self.last:
            slowed = self.last[cap] > SLOW * self.best[cap]
            beaten = self.last[cap] > self.best.get(1, float("inf"))  # one thread once did better than this
            if slowed or beaten or 1 not in self.best:  # (never measured: once per kind of work)
                self.probing = True
                return 1
        return cap
