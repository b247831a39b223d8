"""Run the benchmark workloads side by side in ONE run and write perf/RESULTS.md.

    python -m perf                 # every workload, every installed peer
    python -m perf --only S,P      # some workloads
    python -m perf --quick         # fewer repetitions

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
            elif name == "G":
                from perf.scaling import scaling

                result = scaling(**kwargs)
            else:
                raise ValueError(name)
            conn.send(("ok", result))
        except Exception as exc:  # report, keep serving
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class Peer:
    def __init__(self, kind):
        self.kind = kind
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(kind, child), daemon=True)
        self.proc.start()
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


def summarize(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def round_robin(peers, task, repeats, **kwargs):
    results = {p.name: [] for p in peers}
    for p in peers:  # one untimed run each: loads kernels/caches, touches the data
        try:
            p.run(task, **kwargs)
        except RuntimeError as exc:
            print(f"  ! {exc}", flush=True)
    for r in range(repeats):
        for p in peers:
            try:
                results[p.name].append(p.run(task, **kwargs))
            except RuntimeError as exc:
                print(f"  ! {exc}", flush=True)
        print(f"  {task} repetition {r + 1}/{repeats} done", flush=True)
    return {k: summarize(v) for k, v in results.items() if v}


def time_cli(args, env=None, runs=5):
    exe = Path(sys.executable).with_name("fastnn")
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


def table_rows(results, base="fastnn", unit=fmt_time, higher_is_better=False):
    rows = []
    ref = results.get(base, {}).get("median")
    for name, r in results.items():
        ratio = ""
        if ref and name != base:
            ratio = f"{(ref / r['median']) if higher_is_better else (r['median'] / ref):.1f}x"
        rows.append(f"| {name} | {unit(r['median'])} | {unit(r['min'])} - {unit(r['max'])} | {r['n']} | {ratio} |")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="S,L,M,P,C,G,X", help="comma-separated workloads (S,L,M,P,C,G,X)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-peers", action="store_true", help="fastnn and the NumPy reference only")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)
    only = set(args.only.upper().split(","))
    reps = 3 if args.quick else 7
    kinds = ["fastnn", "numpy"] + ([] if args.no_peers else ["torch", "keras"])
    peers = []
    for kind in kinds:
        p = Peer(kind)
        if p.available:
            peers.append(p)
        else:
            print(f"{kind}: not installed ({p.name}); skipped. pip install -e '.[perf]' to include it.")
    by_kind = {p.kind: p for p in peers}
    lines = ["# fastnn benchmark results", "",
             f"`{' '.join(['python -m perf'] + (argv if argv is not None else sys.argv[1:]))}` on "
             f"{datetime.date.today().isoformat()}", "", f"Machine: {machine()}", "",
             "Median (min - max) over repetitions taken round-robin across peers in one run; "
             "ratio = peer median / fastnn median (for throughput: fastnn / peer).", ""]
    verdicts = []
    try:
        if "S" in only:
            print("S: seed tutorial fit (150 epochs)", flush=True)
            s = round_robin(peers, "S", reps)
            lines += ["## S: seed tutorial `fit` (250x5, 5-20-1 tanh, hinge, Adam, batch 32, 150 epochs, "
                      "validation_split 0.2; PyTorch 1 thread)", "",
                      "| peer | fit time | range | n | ratio |", "|---|---|---|---|---|"] + table_rows(s) + [""]
            f = s["fastnn"]["median"]
            if "pytorch" in s:
                r = s["pytorch"]["median"] / f
                verdicts.append(f"S vs PyTorch eager: {r:.0f}x faster (bar 100x): {'MET' if r >= 100 else 'NOT MET'}")
            if "keras 3 (jax)" in s:
                r = s["keras 3 (jax)"]["median"] / f
                verdicts.append(f"S vs Keras 3/JAX: {r:.0f}x faster (bar 500x): {'MET' if r >= 500 else 'NOT MET'}")
        if "L" in only:
            print("L: 60000x784 MLP, 1 epoch", flush=True)
            from perf.workloads import L_FLOPS_PER_SAMPLE, L_ROWS

            l_peers = [p for p in peers if p.kind != "numpy"] + [p for p in peers if p.kind == "numpy"]
            fast = round_robin([p for p in l_peers if p.kind != "numpy"], "L", max(reps - 2, 2))
            slow = round_robin([p for p in l_peers if p.kind == "numpy"], "L", 1) if "numpy" in by_kind else {}
            res = {**fast, **slow}
            tput = {k: {kk: (L_ROWS / v if kk != "n" else v) for kk, v in r.items()} for k, r in res.items()}
            for r in tput.values():  # min time = max throughput
                r["min"], r["max"] = r["max"], r["min"]

            def unit(sps):
                return f"{sps:,.0f} samples/s ({sps * L_FLOPS_PER_SAMPLE / 1e9:.0f} GFLOP/s)"

            lines += ["## L: 60000x784 random data, 784-256-256-10 relu/relu/softmax, sparse CCE, Adam, batch 128, "
                      "1 epoch (steady state; all cores)", "",
                      "| peer | throughput | range | n | fastnn / peer |", "|---|---|---|---|---|"]
            lines += table_rows(tput, unit=unit, higher_is_better=True) + [""]
            f = tput["fastnn"]["median"]
            if "keras 3 (jax)" in tput:
                r = f / tput["keras 3 (jax)"]["median"]
                verdicts.append(f"L vs Keras 3/JAX: {r:.2f}x (bar >= 1): {'MET' if r >= 1 else 'NOT MET'}")
            if "pytorch" in tput:
                r = f / tput["pytorch"]["median"]
                verdicts.append(f"L vs PyTorch: {r:.2f}x (bar >= 1.5): {'MET' if r >= 1.5 else 'NOT MET'}")
        if "M" in only:
            print("M: Keras's MNIST MLP with dropout, 1 epoch", flush=True)
            from perf.workloads import L_ROWS

            m = round_robin([p for p in peers if p.kind != "numpy"], "M", max(reps - 2, 2))
            tput = {k: {kk: (L_ROWS / v if kk != "n" else v) for kk, v in r.items()} for k, r in m.items()}
            for r in tput.values():
                r["min"], r["max"] = r["max"], r["min"]
            lines += ["## M: Keras's classic MNIST MLP: 60000x784 random data, 784-512-512-10 relu, Dropout 0.2 "
                      "after each hidden layer, RMSprop, sparse CCE, batch 128, 1 epoch (all cores)", "",
                      "| peer | throughput | range | n | fastnn / peer |", "|---|---|---|---|---|"]
            lines += table_rows(tput, unit=lambda sps: f"{sps:,.0f} samples/s", higher_is_better=True) + [""]
            f = tput["fastnn"]["median"]
            for peer, bar in (("keras 3 (jax)", 1.3), ("pytorch", 2.0)):
                if peer in tput:
                    r = f / tput[peer]["median"]
                    verdicts.append(f"M vs {peer}: {r:.2f}x (bar >= {bar}): {'MET' if r >= bar else 'NOT MET'}")
        if "P" in only:
            print("P: single-row predict", flush=True)
            p = round_robin(peers, "P", reps)
            lines += ["## P: single-row `predict` on the seed model (per call, Python call included)", "",
                      "| peer | per call | range | n | ratio |", "|---|---|---|---|---|"] + table_rows(p) + [""]
            f = p["fastnn"]["median"]
            verdicts.append(f"P: {f * 1e6:.1f} us per call (bar <= 20 us): {'MET' if f <= 20e-6 else 'NOT MET'}")
        if "C" in only:
            print("C: fastnn train end to end", flush=True)
            cmd = ["train", "--quiet"]
            warm = time_cli(cmd, runs=reps)
            with tempfile.TemporaryDirectory() as cache:  # no compiled modules, an empty Numba cache
                env = dict(os.environ, NUMBA_CACHE_DIR=cache, FASTNN_CACHE_DIR=cache)
                cold = time_cli(cmd, env=env, runs=1)
            w = summarize(warm)
            lines += ["## C: `fastnn train --quiet` end to end (process start to exit)", "",
                      "| cache | wall time | range | n |", "|---|---|---|---|",
                      f"| warm | {fmt_time(w['median'])} | {fmt_time(w['min'])} - {fmt_time(w['max'])} | {w['n']} |",
                      f"| empty (first run after install, no `fastnn warmup`: Numba compiles) | {fmt_time(cold[0])} | | 1 |",
                      ""]
            verdicts.append(f"C: {w['median']:.2f} s warm (bar <= 1.0 s): {'MET' if w['median'] <= 1.0 else 'NOT MET'}; "
                            f"first run with an empty cache {cold[0]:.1f} s")
        if "X" in only:
            print("X: loops vs BLAS crossover", flush=True)
            from perf.crossover import table

            lines += ["## X: hand loops vs BLAS for one layer (forward + backward, float32)", "",
                      "What fastnn/engine/layout.py's BLAS_MIN_WEIGHTS / BLAS_MIN_SIDE rule is based on.", ""] + table() + [""]
        if "G" in only:
            print("G: scaling", flush=True)
            g = by_kind["fastnn"].run("G", quick=args.quick)
            lines += g["markdown"]
            verdicts += g["verdicts"]
    finally:
        for p in peers:
            p.close()
    lines += ["## Verdicts", ""] + [f"- {v}" for v in verdicts] + [""]
    text = "\n".join(lines)
    print(text)
    Path(args.out).write_text(text)
    print(f"written to {args.out}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
