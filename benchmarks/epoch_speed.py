"""Seconds per training epoch: the vectorized engine against the book's per-example loop.

One epoch of 50,000 images, mini-batch 10, eta 0.1, lambda 5.0, for [784,30,10] and
[784,30,30,30,30,10], both implementations on the same data, the same initial weights and the
same shuffle, in this process, with the same BLAS thread count (the engine's times are the best
of three epochs). Prints a line per size, then ``replicas5_cost <ratio>``: one epoch of five seeds
trained as one stacked computation (vanishing.replicas) over one seed alone, the larger of the
two sizes' ratios; and as its last line ``speedup <ratio>``, the smaller of the two sizes' ratios.

    python benchmarks/epoch_speed.py [--threads 1] [--data data/mnist/train.npz]

Without --data (or when the file is absent) random images of MNIST's shape are used: the cost of
an epoch does not depend on the pixel values.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from vanishing import reference
from vanishing.data import load_split
from vanishing.network import Network
from vanishing.replicas import StackedSGD
from vanishing.train import one_hot, train

SIZES = ([784, 30, 10], [784, 30, 30, 30, 30, 10])


def load_images(path, n):
    if path and Path(path).exists():
        x, labels = load_split(path, n=n)
        return x, labels, f"MNIST {path}"
    rng = np.random.default_rng(0)
    return rng.random((n, 784)), rng.integers(0, 10, n), "random images of MNIST's shape"


def time_engine(sizes, x, labels, args, repeats=3):
    """Best of ``repeats`` single epochs from the same start; returns (seconds, trained net)."""
    best = float("inf")
    for _ in range(repeats):
        net = Network(sizes, np.random.default_rng(1))
        start = time.perf_counter()
        train(net, x, labels, epochs=1, mini_batch_size=args.mini_batch, eta=0.1, lmbda=5.0,
              rng=np.random.default_rng(2))
        best = min(best, time.perf_counter() - start)
    return best, net


def time_reference(sizes, x, labels, args):
    net = Network(sizes, np.random.default_rng(1))
    weights = list(net.weights)
    biases = [b.reshape(-1, 1) for b in net.biases]
    order = np.random.default_rng(2).permutation(len(x))
    start = time.perf_counter()
    weights, _ = reference.sgd_epoch(weights, biases, x, one_hot(labels), order, args.mini_batch, 0.1, 5.0)
    return time.perf_counter() - start, weights


def time_stacked(sizes, x, labels, args, seeds=(1, 2, 3, 4, 5), repeats=3):
    """Best of ``repeats`` epochs of five seeds trained as one stacked computation."""
    best = float("inf")
    for _ in range(repeats):
        stacked = StackedSGD(sizes, seeds)
        start = time.perf_counter()
        stacked.train(x, labels, epochs=1, mini_batch_size=args.mini_batch, eta=0.1, lmbda=5.0)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--data", default="data/mnist/train.npz", help="prepared training split")
    parser.add_argument("--n", type=int, default=50000, help="images per epoch")
    parser.add_argument("--mini-batch", type=int, default=10)
    args = parser.parse_args()
    x, labels, source = load_images(args.data, args.n)
    ratios, costs = [], []
    with threadpool_limits(limits=args.threads, user_api="blas"):
        threads = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        print(f"data: {source}; {len(x)} images; mini-batch {args.mini_batch}; BLAS threads {threads}")
        for sizes in SIZES:
            fast, net = time_engine(sizes, x, labels, args)
            slow, ref_weights = time_reference(sizes, x, labels, args)
            diff = max(float(np.max(np.abs(w - r))) for w, r in zip(net.weights, ref_weights))
            ratios.append(slow / fast)
            print(f"{sizes}: engine {fast:.3f} s/epoch, per-example reference {slow:.3f} s/epoch, "
                  f"ratio {slow / fast:.1f}, max |w - w_ref| {diff:.1e}")
        for sizes in SIZES:
            one, _ = time_engine(sizes, x, labels, args)
            five = time_stacked(sizes, x, labels, args)
            costs.append(five / one)
            print(f"{sizes}: 5 seeds stacked {five:.3f} s/epoch, one seed {one:.3f} s/epoch, "
                  f"cost {five / one:.2f} x one seed")
    print(f"replicas5_cost {max(costs):.2f}")
    print(f"speedup {min(ratios):.1f}")


if __name__ == "__main__":
    main()
