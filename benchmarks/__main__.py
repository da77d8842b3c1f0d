"""Run the benchmark suite: ``python -m benchmarks [--quick] [--out DIR] [--only NAME ...]``.

Writes results.json, results.md and throughput.png into DIR (default benchmarks/results).
Exits with status 1 if any row is not float32 throughout.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

from benchmarks import harness, report, workloads

ROOT = pathlib.Path(__file__).resolve().parent.parent

# (id, short label, title, build(backend), unit, scale from seconds, divisor of a step, target)
MAIN = [
    ("mlp-32", "MLP b32", "MLP 784-256-10 step, batch 32", lambda b: workloads.mlp(b, 32),
     "ms", 1e3, 1, {"kind": "numpy", "value": 1.15}),
    ("mlp-256", "MLP b256", "MLP 784-256-10 step, batch 256", lambda b: workloads.mlp(b, 256),
     "ms", 1e3, 1, {"kind": "numpy", "value": 1.05}),
    ("mlp-1024", "MLP b1024", "MLP 784-256-10 step, batch 1024", lambda b: workloads.mlp(b, 1024),
     "ms", 1e3, 1, None),
    ("cnn", "CNN b32", "CNN step (conv 3x3 1->8 pad 1, ReLU, maxpool 2, linear), batch 32", workloads.cnn,
     "ms", 1e3, 1, {"kind": "numpy", "value": 1.3}),
    ("chain", "chain", f"{workloads.CHAIN_OPS}-op elementwise chain on {workloads.CHAIN_SIZE} elements, "
     "fwd + bwd, per op", workloads.chain, "µs/op", 1e6, workloads.CHAIN_OPS, {"kind": "absolute", "value": 3.0}),
    ("lstm", "LSTM b32", f"Embedding({workloads.VOCABULARY}, {workloads.EMBEDDING}) + LSTM({workloads.HIDDEN}) "
     f"classifier step, batch 32 x {workloads.STEPS} tokens", workloads.lstm, "ms", 1e3, 1,
     {"kind": "torch", "value": 2.0}),
]
SWEEP_BATCHES, SWEEP_WIDTHS = (8, 32, 128, 512, 2048), (32, 128, 512, 2048)
QUICK_BATCHES, QUICK_WIDTHS = (8, 128), (32, 128)


def workload_specs(quick):
    specs = [dict(id=i, short=s, title=t, build=b, unit=u, scale=sc, per=p, target=tg, group="main")
             for i, s, t, b, u, sc, p, tg in MAIN]
    for batch in QUICK_BATCHES if quick else SWEEP_BATCHES:
        specs.append(dict(id=f"sweep-batch-{batch}", short=f"b{batch}", title=f"batch {batch}, hidden 256",
                          build=lambda b, n=batch: workloads.mlp(b, n), unit="ms", scale=1e3, per=1, target=None,
                          group="sweep", sweep="batch", param=batch))
    for width in QUICK_WIDTHS if quick else SWEEP_WIDTHS:
        specs.append(dict(id=f"sweep-hidden-{width}", short=f"h{width}", title=f"hidden {width}, batch 256",
                          build=lambda b, h=width: workloads.mlp(b, 256, h), unit="ms", scale=1e3, per=1,
                          target=None, group="sweep", sweep="hidden", param=width))
    return specs


def run_workload(spec, settings):
    cases = {}
    for backend in workloads.backends():
        case = spec["build"](backend)
        if case is not None:
            cases[backend] = case
    samples = harness.measure(cases, settings["rounds"], settings["per_round"], settings["warmup"])
    rows = {}
    for backend, case in cases.items():
        per_step = [s / spec["per"] for s in samples[backend]]
        row = harness.summary(per_step, case.samples / spec["per"])
        row["peak_bytes"] = harness.peak_memory(case)
        row.update(case.extra)
        rows[backend] = row
    _add_ratios(rows)
    entry = {k: v for k, v in spec.items() if k != "build"}
    entry["rows"] = rows
    return entry


def _add_ratios(rows):
    for base in ("numpy", "torch"):
        if base in rows:
            for row in rows.values():
                row[f"vs_{base}"] = row["median_s"] / rows[base]["median_s"]


def pillars_epochs(quick, rounds):
    """The default ``pillars run`` on each backend, in fresh processes taking turns.

    Reports the whole command's wall time (start-up, data, training, evaluation, saving),
    and, from its JSON output, the seconds of the epochs after the first.
    """
    names = ["minigrad"]
    if workloads.torch is not None:
        names.append("torch")
        if workloads.torch.cuda.is_available():
            names.append("torch:cuda")
    epochs = 1 if quick else 3
    wall, epoch = {n: [] for n in names}, {n: [] for n in names}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:
                start = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "pillars", "run", "--json", "--backend", name,
                                       "--epochs", str(epochs), "--out", os.path.join(tmp, name.replace(":", "-"))],
                                      cwd=ROOT, env=env, capture_output=True, text=True, check=True)
                wall[name].append(time.perf_counter() - start)
                result = json.loads(done.stdout)
                if result["config"]["dtype"] != "float32":
                    raise harness.Float64Error(f"pillars run on {name} trained in {result['config']['dtype']}")
                history = result["history"]
                epoch[name] += [h["seconds"] for h in history[1:]] or [history[0]["seconds"]]
    entries = []
    for what, data, title in (("wall", wall, f"whole command, {epochs} epoch{'s' * (epochs > 1)}"),
                              ("epoch", epoch, "one training epoch (after the first)" if epochs > 1
                               else "one training epoch")):
        rows = {}
        for name, seconds in data.items():
            row = harness.summary(seconds, 1)
            row["peak_bytes"] = None
            rows["torch-cuda" if name == "torch:cuda" else name] = row
        _add_ratios(rows)
        entries.append(dict(id=f"pillars-{what}", short=f"pillars {what}", title=title, unit="s", scale=1, per=1,
                            target=None, group="pillars", rows=rows))
    return entries


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a seconds-long smoke run (few rounds, small sweep)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"), help="where to write the results")
    parser.add_argument("--only", nargs="*", metavar="ID", help="run only these workloads (ids as in results.json, "
                                                               "or a prefix such as mlp, sweep, pillars)")
    parser.add_argument("--rounds", type=int, help="rounds per workload (default 15, quick 2)")
    parser.add_argument("--threads", type=int, help="limit NumPy's BLAS and torch to this many threads "
                                                    "(default: each library's own default)")
    args = parser.parse_args(argv)
    limits = _limit_threads(args.threads) if args.threads else None  # noqa: F841 (kept for the whole run)
    settings = ({"rounds": 2, "per_round": 2, "warmup": 1} if args.quick
                else {"rounds": 15, "per_round": 5, "warmup": 5})
    if args.rounds:
        settings["rounds"] = args.rounds

    def wanted(workload_id):
        return not args.only or any(workload_id == o or workload_id.startswith(o + "-")
                                    for o in args.only)

    settings["threads"] = args.threads or "library defaults"
    results = {"machine": harness.machine(), "quick": args.quick, "settings": settings,
               "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "float32_checked": True,
               "backends": workloads.backends(), "workloads": []}
    try:
        for spec in workload_specs(args.quick):
            if wanted(spec["id"]):
                entry = run_workload(spec, settings)
                results["workloads"].append(entry)
                _print(entry)
        if wanted("pillars"):
            for entry in pillars_epochs(args.quick, 1 if args.quick else 5):
                results["workloads"].append(entry)
                _print(entry)
    except harness.Float64Error as err:
        print(f"benchmarks: float32 check failed: {err}", file=sys.stderr)
        return 1
    out = report.write(results, args.out)
    print(f"\nresults in {out}")
    return 0


def _limit_threads(threads):
    """Run every library on `threads` threads: on a machine shared with other work, a
    multithreaded BLAS call waits for every one of its threads to get a core, and the
    waits, not the libraries, decide the figures. The limits hold for this process and the
    `pillars run` processes it starts."""
    from threadpoolctl import threadpool_limits

    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    if workloads.torch is not None:
        workloads.torch.set_num_threads(threads)
    return threadpool_limits(threads)


def _print(entry):
    print(f"\n{entry['title']}")
    for backend, row in entry["rows"].items():
        ratios = "  ".join(f"{row[k]:5.2f}x {k[3:]}" for k in ("vs_numpy", "vs_torch") if k in row)
        print(f"  {report.BACKEND_NAMES[backend]:<11} {row['median_s'] * entry['scale']:9.3f} {entry['unit']:<6} "
              f"(IQR {row['q1_s'] * entry['scale']:.3f}-{row['q3_s'] * entry['scale']:.3f})  {ratios}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
