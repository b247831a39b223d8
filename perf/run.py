"""Run the benchmark workloads side by side in ONE run and write perf/RESULTS.md.

    python -m perf                 # every workload, every installed peer
    python -m perf --only S,P      # some workloads
    python -m perf --quick         # fewer repetitions

Run it as the machine is (with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE set, if it sets them): the peers
run with both removed (the CPU's own OpenBLAS kernel), and L and M run a second time with the
machine's setting (OPENBLAS_CORETYPE=Haswell where it sets none), so RESULTS.md holds both.

Each peer (fastnn, the NumPy reference, PyTorch and Keras 3 on JAX when installed) lives in a
worker process of its own; repetitions go round-robin over the peers, so a noisy minute on this
shared machine hits every peer alike. Reported: median (min-max) over repetitions, and the
ratio of each peer's median to fastnn's. Only same-run ratios mean anything here.
"""
import argparse
import datetime
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from perf.quiet import OtherLoad

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _worker(kind, conn):
    """A peer's process: import the framework, then answer (task, kwargs) requests."""
    if kind == "keras":
        os.environ["KERAS_BACKEND"] = "jax"
    sys.path.insert(0, str(ROOT))
    from perf import workloads as W

    try:
        peer = {"fastnn": W.Fastnn, "numpy": W.NumpyReference, "torch": lambda: W.Torch(1), "keras": W.Keras}[kind]()
    except ImportError as exc:
        conn.send(("unavailable", str(exc)))
        return
    conn.send(("ready", peer.name))
    data = {}
    while True:
        task = conn.recv()
        if task is None:
            return
        name, kwargs = task
        try:
            if name == "S":
                data.setdefault("s", W.s_data())
                result = peer.fit_s(*data["s"], **kwargs)
            elif name == "L":
                data.setdefault("l", W.l_data())
                if kind == "torch":
                    peer.torch.set_num_threads(os.cpu_count())
                result = peer.fit_l(*data["l"], **kwargs)
                if kind == "torch":
                    peer.torch.set_num_threads(1)
            elif name == "L, one BLAS thread":  # fastnn: the best a fit can do with one core left
                from threadpoolctl import threadpool_limits

                data.setdefault("l", W.l_data())
                with threadpool_limits(1, user_api="blas"):
                    result = peer.fit_l(*data["l"], **kwargs)
            elif name == "P":
                data.setdefault("s", W.s_data())
                result = peer.predict_p(data["s"][0], **kwargs)
            elif name == "M":
                data.setdefault("l", W.l_data())
                if kind == "torch":
                    peer.torch.set_num_threads(os.cpu_count())
                result = peer.fit_m(*data["l"])
                if kind == "torch":
                    peer.torch.set_num_threads(1)
            elif name == "blas":
                result = blas_libraries()
            elif name == "G":
                from perf.scaling import scaling

                result = scaling(**kwargs)
            else:
                raise ValueError(name)
            conn.send(("ok", result))
        except Exception as exc:  # report, keep serving
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def blas_libraries():
    """The BLAS/OpenMP libraries loaded in this process and the kernel each runs (threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["unknown (pip install threadpoolctl to record it)"]
    return [f"{i.get('internal_api')} {i.get('version') or ''} {i.get('architecture') or ''}, {i.get('num_threads')} "
            f"threads ({Path(i.get('filepath', '?')).name})".replace("  ", " ") for i in threadpool_info()]


# These machines may set them to force an older OpenBLAS kernel (Haswell's AVX2 kernels on an
# AVX-512 CPU); a user's machine does not. L and M run under both: the CPU's own kernel, and the
# machine's setting, or OPENBLAS_CORETYPE=Haswell where this machine sets nothing.
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
MACHINE_BLAS_SETTING = {k: os.environ[k] for k in BLAS_VARIABLES if k in os.environ}
FORCED_BLAS_SETTING = MACHINE_BLAS_SETTING or {"OPENBLAS_CORETYPE": "Haswell"}


class Peer:
    def __init__(self, kind, forced_blas=False):
        """forced_blas: keep the machine's OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE in the worker's
        environment; by default they are removed, so OpenBLAS picks the CPU's own kernel."""
        self.kind = kind
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(kind, child), daemon=True)
        saved = dict(os.environ)
        for k in BLAS_VARIABLES:  # a spawned worker takes the environment at start()
            os.environ.pop(k, None)
        if forced_blas:
            os.environ.update(FORCED_BLAS_SETTING)
        try:
            self.proc.start()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        status, self.name = self.conn.recv()
        self.available = status == "ready"

    def run(self, task, **kwargs):
        self.conn.send((task, kwargs))
        status, result = self.conn.recv()
        if status != "ok":
            raise RuntimeError(f"{self.name} {task}: {result}")
        return result

    def close(self):
        if self.proc.is_alive():
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            self.proc.join(timeout=10)


def summarize(values, retried=0, kept_busy=0):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values),
            "retried": retried, "kept_busy": kept_busy}


RETRIES = 3  # per repetition, when something else used the CPU meanwhile (perf/quiet.py)


def round_robin(peers, task, repeats, quiet=True, **kwargs):
    """repeats repetitions of task per peer, round-robin. quiet: a repetition during which
    something other than the peer used more than quiet.BUSY_LIMIT of a core is measured again
    (up to RETRIES times, after a pause), for every peer alike; the summaries count them."""
    results = {p.name: [] for p in peers}
    retried = {p.name: 0 for p in peers}
    kept_busy = {p.name: 0 for p in peers}
    for p in peers:  # one untimed run each: loads kernels/caches, touches the data
        try:
            p.run(task, **kwargs)
        except RuntimeError as exc:
            print(f"  ! {exc}", flush=True)
    for r in range(repeats):
        for p in peers:
            try:
                for attempt in range(RETRIES + 1):
                    with OtherLoad(p.proc.pid) as load:
                        value = p.run(task, **kwargs)
                    if not quiet or load.quiet:
                        break
                    if attempt == RETRIES:
                        kept_busy[p.name] += 1
                        break
                    retried[p.name] += 1
                    print(f"  {p.name}: other work used {load.cores:.2f} cores during repetition {r + 1}; "
                          f"measuring it again", flush=True)
                    time.sleep(1.0)
                results[p.name].append(value)
            except RuntimeError as exc:
                print(f"  ! {exc}", flush=True)
        print(f"  {task} repetition {r + 1}/{repeats} done", flush=True)
    return {k: summarize(v, retried[k], kept_busy[k]) for k, v in results.items() if v}


def time_cli(args, env=None, runs=5, exe=None):
    exe = exe or Path(sys.executable).with_name("fastnn")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run([str(exe)] + args, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr)
    return times


def machine():
    cpu = platform.processor() or "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    versions = []
    for mod in ("numpy", "numba", "scipy", "torch", "keras", "jax"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except Exception:
            pass
    return f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}; " + ", ".join(versions)


def fmt_time(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} us"


def count(r):
    """n, and how many repetitions were measured again because other work used the CPU meanwhile"""
    notes = ([f"{r['retried']} remeasured"] if r.get("retried") else []) + \
        ([f"{r['kept_busy']} kept though busy"] if r.get("kept_busy") else [])
    return f"{r['n']}" + (f" ({', '.join(notes)})" if notes else "")


def table_rows(results, base="fastnn", unit=fmt_time, higher_is_better=False):
    rows = []
    ref = results.get(base, {}).get("median")
    for name, r in results.items():
        ratio = ""
        if ref and name != base:
            ratio = f"{(ref / r['median']) if higher_is_better else (r['median'] / ref):.1f}x"
        rows.append(f"| {name} | {unit(r['median'])} | {unit(r['min'])} - {unit(r['max'])} | {count(r)} | {ratio} |")
    return rows


# ---- the bars (issue 17's, as same-run ratios on this machine kind) ------------------------------

def verdict(text, value, ok):
    return f"{text}: {value} {'MET' if ok else 'NOT MET'}"


def throughput(results):
    """Per-peer L/M fit times -> samples/s summaries (min time = max throughput)."""
    from perf.workloads import L_ROWS

    out = {k: {kk: (L_ROWS / v if kk in ("median", "min", "max") else v) for kk, v in r.items()}
           for k, r in results.items()}
    for r in out.values():
        r["min"], r["max"] = r["max"], r["min"]
    return out


def ratio_verdicts(label, tput, bars):
    f = tput["fastnn"]["median"]
    return [verdict(f"{label} vs {peer}", f"{f / tput[peer]['median']:.2f}x (bar >= {bar}):",
                    f / tput[peer]["median"] >= bar) for peer, bar in bars if peer in tput]


# ---- the workloads -------------------------------------------------------------------------------

def run_s(peers, reps):
    s = round_robin(peers, "S", reps)
    lines = ["## S: seed tutorial `fit` (250x5, 5-20-1 tanh, hinge, Adam, batch 32, 150 epochs, validation_split 0.2; "
             "PyTorch 1 thread)", "", "| peer | fit time | range | n | ratio |", "|---|---|---|---|---|"]
    f = s["fastnn"]["median"]
    verdicts = [verdict(f"S vs {peer}", f"{s[peer]['median'] / f:.0f}x faster (bar {bar}x):", s[peer]["median"] / f >= bar)
                for peer, bar in (("pytorch", 120), ("keras 3 (jax)", 700)) if peer in s]
    return lines + table_rows(s) + [""], verdicts, s


L_TITLE = "60000x784 random data, 784-256-256-10 relu/relu/softmax, sparse CCE, Adam, batch 128, 1 epoch"
M_TITLE = ("Keras's classic MNIST MLP: 60000x784 random data, 784-512-512-10 relu, Dropout 0.2 after each hidden "
           "layer, RMSprop, sparse CCE, batch 128, 1 epoch")
BARS = {"L": (("keras 3 (jax)", 1.3), ("pytorch", 2.0)), "M": (("keras 3 (jax)", 1.3), ("pytorch", 2.0))}


def run_blas_workload(task, peers, reps, setting, with_reference=False):
    """L or M for the given peers (one BLAS setting); the NumPy reference once, when asked."""
    # two more repetitions than S's: on this machine whole repetitions of a two-thread fit run at half
    # speed now and then (no other process to see: perf/README.md), and a median of 9 rides that out
    fast = round_robin([p for p in peers if p.kind != "numpy"], task, reps + 2)
    slow = round_robin([p for p in peers if p.kind == "numpy"], task, 1) if with_reference else {}
    tput = throughput({**fast, **slow})
    from perf.workloads import L_FLOPS_PER_SAMPLE

    def unit(sps):
        return f"{sps:,.0f} samples/s" + (f" ({sps * L_FLOPS_PER_SAMPLE / 1e9:.0f} GFLOP/s)" if task == "L" else "")

    lines = [f"## {task}, {setting}: {L_TITLE if task == 'L' else M_TITLE} (all cores)", "",
             "| peer | throughput | range | n | fastnn / peer |", "|---|---|---|---|---|"]
    return lines + table_rows(tput, unit=unit, higher_is_better=True) + [""], tput


def blas_section(peers, label):
    lines = [f"BLAS libraries loaded after the runs ({label}; threadpoolctl):", ""]
    for p in peers:
        if p.kind in ("fastnn", "torch", "keras"):
            try:
                libs = p.run("blas")
            except RuntimeError as exc:
                libs = [str(exc)]
            note = " (XLA's own CPU kernels do the matrix products)" if p.kind == "keras" else ""
            lines.append(f"- {p.name}: " + ("; ".join(libs) if libs else "none") + note)
    return lines + [""]


def run_l_and_m(only, peers, reps):
    """L and M with the CPU's own OpenBLAS kernel (the machine's BLAS variables removed), then again
    with the forced kernel (FORCED_BLAS_SETTING): both settings in one run."""
    lines, verdicts, quiet_l = [], [], None
    forced = [Peer(p.kind, forced_blas=True) for p in peers if p.kind in ("fastnn", "torch", "keras")]
    forced_text = ", ".join(f"{k}={v}" for k, v in FORCED_BLAS_SETTING.items())
    whose = "the machine's setting" if MACHINE_BLAS_SETTING else "a forced kernel, as these machines may set (this one sets none)"
    settings = [("the CPU's own OpenBLAS kernel", peers), (f"{whose}: {forced_text}", forced)]
    try:
        for k, (setting, group) in enumerate(settings):
            for task in [t for t in ("L", "M") if t in only]:
                print(f"{task}: {setting}", flush=True)
                section, tput = run_blas_workload(task, group, reps, setting, with_reference=task == "L" and k == 0)
                lines += section
                if k == 0:
                    verdicts += ratio_verdicts(task, tput, BARS[task])
                    quiet_l = tput if task == "L" else quiet_l
            lines += blas_section(group, setting)
    finally:
        for p in forced:
            p.close()
    return lines, verdicts, quiet_l


def run_under_load(peers, reps, quiet):
    """L beside one busy process (a pure-Python loop on one core), against the quiet L above."""
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    time.sleep(0.5)
    try:
        loaded = throughput(round_robin([p for p in peers if p.kind in ("fastnn", "torch", "keras")], "L",
                                        max(reps - 2, 2), quiet=False))  # the busy process is the point
    finally:
        busy.kill()
    lines = ["## Load: L beside one busy process (one of the 2 cores taken; the CPU's own OpenBLAS kernel)", "",
             "| peer | quiet | beside a busy process | slowdown |", "|---|---|---|---|"]
    for name, r in loaded.items():
        q, busy_sps = (quiet or {}).get(name, {}).get("median"), r["median"]
        quiet_text, slowdown = (f"{q:,.0f} samples/s", f"{q / busy_sps:.2f}x") if q else ("-", "-")
        lines.append(f"| {name} | {quiet_text} | {busy_sps:,.0f} samples/s | {slowdown} |")
    lines.append("")
    fastnn = [p for p in peers if p.kind == "fastnn"]
    try:  # the bound: beside a process that takes one of 2 cores, a fit has one core left
        one = throughput(round_robin(fastnn, "L, one BLAS thread", max(reps - 2, 2)))["fastnn"]["median"]
    except (RuntimeError, KeyError):  # threadpoolctl missing (the perf extra has it)
        one = None
    if one and quiet and "fastnn" in quiet:
        lines += [f"fastnn on the quiet machine with one BLAS thread: {one:,.0f} samples/s, i.e. its quiet two-core "
                  f"speed is {quiet['fastnn']['median'] / one:.2f}x its one-core speed: the smallest slowdown fastnn can "
                  f"reach with one core taken, since it then runs one thread (OpenBLAS splits each product evenly, "
                  f"so a second thread sharing the taken core stalls every product: 2.2x slower than quiet when "
                  f"measured). XLA's thread pool splits work dynamically and can take a share of the busy core.",
                  ""]
    verdicts = []
    if quiet and "fastnn" in loaded:
        slow = quiet["fastnn"]["median"] / loaded["fastnn"]["median"]
        verdicts.append(verdict("Load: fastnn's L beside a busy process", f"{slow:.2f}x slower (bar <= 1.6x):", slow <= 1.6))
    return lines, verdicts


def run_p(peers, reps):
    p = round_robin(peers, "P", reps)
    f = p["fastnn"]["median"]
    lines = ["## P: single-row `predict` on the seed model (per call, Python call included)", "",
             "| peer | per call | range | n | ratio |", "|---|---|---|---|---|"] + table_rows(p) + [""]
    return lines, [verdict("P", f"{f * 1e6:.1f} us per call (bar <= 10 us):", f <= 10e-6)]


FIRST_FITS = """
import json, sys, time
import numpy as np
t0 = time.perf_counter()
import fastnn
out = {"import fastnn": time.perf_counter() - t0}
rng = np.random.default_rng(0)
for name, sizes, n_in in (("seed model 5-20-1", (20, 1), 5), ("784-256-10 (BLAS-size layers)", (256, 10), 784)):
    for dtype in ("float32", "float64"):
        x = rng.random((512, n_in)); y = (x.sum(axis=1) > n_in / 2).astype(float)
        model = fastnn.Sequential([fastnn.Dense(sizes[0], input_dim=n_in, activation="tanh"),
                                   fastnn.Dense(sizes[1], activation="sigmoid")], dtype=dtype, seed=0)
        model.compile("adam", "binary_crossentropy" if sizes[1] == 1 else "mse")
        y2 = y if sizes[1] == 1 else np.repeat(y[:, None], sizes[1], axis=1)
        t0 = time.perf_counter()
        model.fit(x, y2, epochs=1, batch_size=32, verbose=0)
        out[f"first fit, {name}, {dtype}"] = time.perf_counter() - t0
out["numba imported"] = "numba" in sys.modules
print(json.dumps(out))
"""


def cold_start():
    """A fresh venv, `pip install .` of this tree, then the first fits in a new process and
    `fastnn train` end to end, with empty caches: what a new user meets."""
    import json

    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in BLAS_VARIABLES}
        env.update(NUMBA_CACHE_DIR=os.path.join(tmp, "numba"), FASTNN_CACHE_DIR=os.path.join(tmp, "fastnn"))
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        t0 = time.perf_counter()
        subprocess.run([python, "-m", "pip", "install", "-q", str(ROOT)], check=True, env=env, capture_output=True)
        install = time.perf_counter() - t0
        first = json.loads(subprocess.run([python, "-c", FIRST_FITS], check=True, env=env, capture_output=True,
                                          text=True, cwd=tmp).stdout)
        train = time_cli(["train", "--quiet"], env=env, runs=1, exe=venv / "bin" / "fastnn")[0]
    return install, first, train


def run_c(reps, cold):
    env = {k: v for k, v in os.environ.items() if k not in BLAS_VARIABLES}
    w = summarize(time_cli(["train", "--quiet"], env=env, runs=reps))
    lines = ["## C: `fastnn train --quiet` end to end (process start to exit)", "",
             "| cache | wall time | range | n |", "|---|---|---|---|",
             f"| warm | {fmt_time(w['median'])} | {fmt_time(w['min'])} - {fmt_time(w['max'])} | {w['n']} |", ""]
    verdicts = [verdict("C", f"{w['median']:.2f} s warm (bar <= 0.5 s):", w["median"] <= 0.5)]
    if cold:
        print("C: cold start (fresh venv, pip install .)", flush=True)
        install, first, train = cold_start()
        lines += ["### Cold start: a fresh venv, `pip install .` (compiles the kernels), then a new process with "
                  "empty caches", "", "| step | time |", "|---|---|", f"| `pip install .` | {fmt_time(install)} |"]
        lines += [f"| {k} | {fmt_time(v)} |" for k, v in first.items() if k != "numba imported"]
        lines += [f"| `fastnn train --quiet`, first run | {fmt_time(train)} |", "",
                  f"Numba imported by the first fits: {'yes' if first['numba imported'] else 'no'}.", ""]
        slowest = max(v for k, v in first.items() if k.startswith("first fit"))
        verdicts.append(verdict("Cold start", f"slowest first fit {slowest:.2f} s (bar <= 2 s):", slowest <= 2.0))
    return lines, verdicts


def header(argv):
    return ["# fastnn benchmark results", "",
            f"`{' '.join(['python -m perf'] + (argv if argv is not None else sys.argv[1:]))}` on "
            f"{datetime.date.today().isoformat()}", "", f"Machine: {machine()}", "",
            "Median (min - max) over repetitions taken round-robin across peers in one run; ratio = peer median / "
            "fastnn median (for throughput: fastnn / peer). Peers run with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE "
            "removed from their environment (the CPU's own OpenBLAS kernel), except where a table says otherwise. "
            "A repetition during which something other than the measured peer (another container's process, a "
            "peer's threads still spinning) used more than a quarter of a core is measured again, up to 3 times, "
            "for every peer alike (perf/quiet.py); n says how many were.",
            ""]


def start_peers(no_peers):
    peers = []
    for kind in ["fastnn", "numpy"] + ([] if no_peers else ["torch", "keras"]):
        p = Peer(kind)
        if p.available:
            peers.append(p)
        else:
            print(f"{kind}: not installed ({p.name}); skipped. pip install -e '.[perf]' to include it.")
    return peers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="S,L,M,U,P,C,G,X", help="comma-separated workloads (S,L,M,U,P,C,G,X)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-peers", action="store_true", help="fastnn and the NumPy reference only")
    parser.add_argument("--no-cold-start", action="store_true", help="C without the fresh-venv install (minutes)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)
    only = set(args.only.upper().split(","))
    reps = 3 if args.quick else 7
    peers = start_peers(args.no_peers)
    lines, verdicts = header(argv), []
    try:
        if "S" in only:
            print("S: seed tutorial fit (150 epochs)", flush=True)
            section, v, _ = run_s(peers, reps)
            lines, verdicts = lines + section, verdicts + v
        quiet_l = None
        if only & {"L", "M", "U"}:
            section, v, quiet_l = run_l_and_m(only | ({"L"} if "U" in only else set()), peers, reps)
            lines, verdicts = lines + section, verdicts + v
        if "U" in only:
            print("U: L beside a busy process", flush=True)
            section, v = run_under_load(peers, reps, quiet_l)
            lines, verdicts = lines + section, verdicts + v
        if "P" in only:
            print("P: single-row predict", flush=True)
            section, v = run_p(peers, reps)
            lines, verdicts = lines + section, verdicts + v
        if "C" in only:
            print("C: fastnn train end to end", flush=True)
            section, v = run_c(reps, cold=not args.no_cold_start)
            lines, verdicts = lines + section, verdicts + v
        lines, verdicts = run_extras(only, peers, args.quick, lines, verdicts)
    finally:
        for p in peers:
            p.close()
    text = "\n".join(lines + ["## Verdicts", ""] + [f"- {v}" for v in verdicts] + [""])
    print(text)
    Path(args.out).write_text(text)
    print(f"written to {args.out}")


def run_extras(only, peers, quick, lines, verdicts):
    """X (loops vs BLAS) and G (scaling, incl. shuffled vs in-order epochs): fastnn only."""
    if "X" in only:
        print("X: loops vs BLAS crossover", flush=True)
        from perf.crossover import table

        lines = lines + ["## X: hand loops vs BLAS for one layer (forward + backward, float32)", "",
                         "What fastnn/engine/layout.py's BLAS_MIN_WEIGHTS / BLAS_MIN_SIDE rule is based on.", ""]
        lines += table() + [""]
    if "G" in only:
        print("G: scaling", flush=True)
        g = next(p for p in peers if p.kind == "fastnn").run("G", quick=quick)
        lines, verdicts = lines + g["markdown"], verdicts + g["verdicts"]
    return lines, verdicts


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
