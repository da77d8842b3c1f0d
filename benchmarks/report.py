"""The results as JSON, a Markdown table and a PNG chart."""

import json
import pathlib

BACKEND_NAMES = {"minigrad": "minigrad", "numpy": "hand NumPy", "torch": "torch CPU", "mygrad": "MyGrad",
                 "torch-cuda": "torch CUDA"}


def write(results, out):
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "results.md").write_text(markdown(results))
    chart(results, out / "throughput.png")
    return out


def _figure(row, workload):
    value = row["median_s"] * workload["scale"]
    spread = (row["q3_s"] - row["q1_s"]) * workload["scale"]
    return f"{value:.3g} ± {spread / 2:.2g}"


def _ratio(value):
    return "" if value is None else f"{value:.2f}x"


def _memory(row):
    peak = row.get("peak_bytes")
    return "n/a" if peak is None else f"{peak / 2**20:.2f} MiB"


def _target(workload):
    target = workload.get("target")
    if not target:
        return ""
    row = workload["rows"].get("minigrad")
    if target["kind"] == "absolute":
        value = row["median_s"] * workload["scale"] if row else None
        text = f"≤ {target['value']} {workload['unit']}"
    else:
        value = row and row.get(f"vs_{target['kind']}")
        text = f"≤ {target['value']}x {BACKEND_NAMES[target['kind']]}"
    met = "" if value is None else (" met" if value <= target["value"] else " **not met**")
    return text + met


def markdown(results):
    m = results["machine"]
    lines = ["# Benchmark results", "",
             f"Machine: {m['cpu']}, {m['logical_cores']} logical cores; NumPy {m['numpy']} ({m['blas']}), "
             f"torch {m.get('torch')} ({m.get('torch_threads')} threads), MyGrad {m.get('mygrad')}; "
             f"GPU: {m.get('gpu') or 'none'}.",
             f"Python {m['python']} on {m['platform']}. {'Quick smoke run. ' if results['quick'] else ''}"
             f"Median ± half the interquartile range of {results['settings']['rounds']} rounds x "
             f"{results['settings']['per_round']} steps per row after warm-up, the rows taking turns; "
             f"threads: {results['settings'].get('threads', 'library defaults')}; every row float32, checked.", ""]
    groups = [("Training steps", [w for w in results["workloads"] if w["group"] == "main"]),
              ("Scaling sweep: MLP 784-H-10 step", [w for w in results["workloads"] if w["group"] == "sweep"]),
              ("`pillars run` end to end (default MLP on digits)",
               [w for w in results["workloads"] if w["group"] == "pillars"])]
    for title, workloads in groups:
        if not workloads:
            continue
        lines += [f"## {title}", "",
                  "| workload | backend | time | samples/s | peak memory per step | vs hand NumPy | vs torch CPU "
                  "| target (minigrad) |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for w in workloads:
            first = True
            for backend, row in w["rows"].items():
                lines.append(f"| {w['title'] if first else ''} | {BACKEND_NAMES[backend]} | "
                             f"{_figure(row, w)} {w['unit']} | {row['samples_per_s']:,.0f} | {_memory(row)} | "
                             f"{_ratio(row.get('vs_numpy'))} | {_ratio(row.get('vs_torch'))} | "
                             f"{_target(w) if first else ''} |")
                first = False
        lines.append("")
    notes = [f"- {w['title']}, {BACKEND_NAMES[b]}: host-to-device copy of one batch "
             f"{row['host_to_device_ms']:.3f} ms (not in the step time)"
             for w in results["workloads"] for b, row in w["rows"].items() if "host_to_device_ms" in row]
    if notes:
        lines += ["## GPU notes", ""] + notes + [""]
    if not m.get("gpu"):
        lines += ["No GPU was available for this run, so there are no torch CUDA rows.", ""]
    return "\n".join(lines)


def chart(results, path):
    """Throughput per backend for each workload (left) and the scaling sweep (right)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    main = [w for w in results["workloads"] if w["group"] == "main"]
    sweep = [w for w in results["workloads"] if w["group"] == "sweep"]
    backends = [b for b in BACKEND_NAMES if any(b in w["rows"] for w in main + sweep)]
    fig, axes = plt.subplots(1, 3, figsize=(16, 5), gridspec_kw={"width_ratios": [2, 1, 1]})
    width = 0.8 / max(len(backends), 1)
    for i, backend in enumerate(backends):
        xs = [j + i * width for j, w in enumerate(main) if backend in w["rows"]]
        ys = [w["rows"][backend]["samples_per_s"] for w in main if backend in w["rows"]]
        axes[0].bar(xs, ys, width, label=BACKEND_NAMES[backend])
    axes[0].set_xticks([j + width * (len(backends) - 1) / 2 for j in range(len(main))])
    axes[0].set_xticklabels([w["short"] for w in main], rotation=20, ha="right")
    axes[0].set_yscale("log")
    axes[0].set_ylabel("samples (chain: runs) per second, higher is better")
    axes[0].set_title("Throughput per backend")
    axes[0].legend()
    for ax, axis, label in ((axes[1], "batch", "batch size (hidden 256)"), (axes[2], "hidden", "hidden width (batch 256)")):
        points = [w for w in sweep if w["sweep"] == axis]
        for backend in backends:
            pts = [(w["param"], w["rows"][backend]["median_s"] * 1e3) for w in points if backend in w["rows"]]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=BACKEND_NAMES[backend])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("ms per MLP step")
        ax.set_title(f"Scaling sweep over {axis}")
        ax.grid(True, which="both", alpha=0.3)
    if axes[1].lines:
        axes[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
