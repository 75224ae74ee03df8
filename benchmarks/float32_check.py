"""What ``dtype: float32`` changes in E1, E2 and E3's numbers, against float64 over the same seeds.

Runs each experiment with config/config.yaml's section (E1 at the depths given, default 2, its
five seeds stacked) in both precisions and prints, per quantity, the largest |float32 − float64|
and the seed spread (standard deviation over seeds of the float64 values at the same epoch and
layer), and their largest ratio: below 1 the precision is lost in the seed-to-seed scatter.

    python benchmarks/float32_check.py [--e1-depths 2] [--e1-epochs 30] [--data data/mnist]
"""

import argparse
import time

import numpy as np
import yaml
from threadpoolctl import threadpool_limits

from vanishing.chapter import experiments


def compare(name, f64, f32):
    """f64, f32: arrays (seeds, ...); prints the largest difference against the seed spread."""
    f64, f32 = np.asarray(f64, dtype=float), np.asarray(f32, dtype=float)
    spread = f64.std(axis=0, ddof=1)
    diff = np.abs(f32 - f64)
    rel = np.max(diff / np.abs(f64))
    ratio = np.max(diff / spread)
    print(f"{name}: max |f32 - f64| {diff.max():.3g} (relative {rel:.2g}), seed std {spread.min():.3g}..{spread.max():.3g}, "
          f"max |f32 - f64| / seed std {ratio:.3g}", flush=True)
    return ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--e1-depths", type=int, nargs="*", default=[2])
    parser.add_argument("--e1-epochs", type=int, default=None)
    parser.add_argument("--data", default="data/mnist")
    parser.add_argument("--skip-e3", action="store_true")
    args = parser.parse_args()
    config = yaml.safe_load(open("config/config.yaml"))
    splits = {s: f"{args.data}/{s}.npz" for s in ("train", "validation", "test")}
    ratios = {}
    with threadpool_limits(limits=1, user_api="blas"):
        e2 = config["initial_speed"]
        for k in e2["hidden_layers"]:
            runs = {d: experiments.initial_speed(e2, k, splits, dtype=d)["runs"] for d in (np.float64, np.float32)}
            ratios[f"E2 k={k}"] = compare(f"E2 k={k} speed per layer",
                                          *([r["speed_b"] for r in runs[d]] for d in (np.float64, np.float32)))
        e3 = config["learning_speed"]
        for k in [] if args.skip_e3 else e3["hidden_layers"]:
            seconds, speeds = {}, {}
            for d in (np.float64, np.float32):
                start = time.perf_counter()
                speeds[d] = [experiments.learning_speed(e3, k, s, splits, dtype=d)["history"]["speed_b"]
                             for s in e3["seeds"]]
                seconds[d] = time.perf_counter() - start
            ratios[f"E3 k={k}"] = compare(f"E3 k={k} speed per epoch and layer", speeds[np.float64], speeds[np.float32])
            print(f"E3 k={k}: float64 {seconds[np.float64]:.1f} s, float32 {seconds[np.float32]:.1f} s "
                  f"({len(e3['seeds'])} runs)", flush=True)
        e1 = dict(config["depth_accuracy"])
        if args.e1_epochs:
            e1["epochs"] = args.e1_epochs
        for k in args.e1_depths:
            hist, seconds = {}, {}
            for d in (np.float64, np.float32):
                start = time.perf_counter()
                hist[d] = [r["history"] for r in experiments.depth_accuracy_seeds(e1, k, e1["seeds"], splits, dtype=d)]
                seconds[d] = time.perf_counter() - start
            for key in ("validation_accuracy", "training_cost"):
                ratios[f"E1 k={k} {key}"] = compare(f"E1 k={k} {key} per epoch",
                                                    *([h[key][1:] for h in hist[d]] for d in (np.float64, np.float32)))
            print(f"E1 k={k}: float64 {seconds[np.float64]:.1f} s, float32 {seconds[np.float32]:.1f} s "
                  f"({len(e1['seeds'])} seeds stacked, {e1['epochs']} epochs)", flush=True)
    worst = max(ratios, key=ratios.get)
    print(f"float32_worst_ratio {ratios[worst]:.3g} ({worst})")


if __name__ == "__main__":
    main()
