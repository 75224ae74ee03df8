"""Seconds per training epoch: the compiled and the numpy engines against the dense floor, and the
numpy engine against the book's per-example loop.

First, all in this process, for [784,30,10] and [784,30,30,30,30,10]: the dense first-layer floor
(the two products of the first layer alone, 10×784 by 784×30 forward and the 30×784 weight
gradient, over the 5,000 steps of an epoch, into preallocated arrays), the numpy engine's
(``engine="reference"``) and the compiled engine's (``engine="fast"``) epochs, one seed and 5 seeds
stacked (seconds per network-epoch), each the second epoch of a two-epoch run (the first, with the
job's one-time set-up, beside it), their ratios and each over the floor; all interleaved round by
round (best of 5), so that the ratios survive a changing load. Then the compiled engine's first
call in a fresh process with an empty and with a filled numba cache. Summary lines
``fast_over_floor <ratio>`` and ``fast_deep_over_floor <ratio>`` (one seed). ``--only fastpath``
stops there; otherwise the lines below follow.

One epoch of 50,000 images, mini-batch 10, eta 0.1, lambda 5.0, for [784,30,10] and
[784,30,30,30,30,10], both implementations on the same data, the same initial weights and the
same shuffle, in this process, with the same BLAS thread count (the engine's times are the best
of three epochs). Prints a line per size, then, all in this process:

- 5 and 20 seeds trained as one stacked computation (``vanishing.engine.stacked.train_stacked``): seconds
  per epoch of the stack (the second epoch of a two-epoch run, what every epoch after the first
  costs; the first, with the job's one-time set-up, is printed beside it), per network-epoch, and
  the per-example reference's time over that;
- float32 against float64, seconds per epoch of one seed;
- the momentum and Nesterov steps against the SGD step at mini-batch 100 (and 10) on the 4x30 net,
  and 5 seeds stacked with Nesterov at mini-batch 100 (R3's setting) against one seed;

and the summary lines ``replicas5_cost <ratio>`` (five stacked seeds over one, the larger of the two
sizes), ``stacked_deep_speedup <ratio>`` (the per-example reference's seconds per epoch of the deep
net over the 20-seed stack's seconds per network-epoch), ``momentum_step_ratio <ratio>`` (the slower
of momentum and Nesterov over SGD, mini-batch 100) and last ``speedup <ratio>``, the smaller of the two
sizes' single-seed ratios.

    python benchmarks/epoch_speed.py [--threads 1] [--data data/mnist/train.npz]

Without --data (or when the file is absent) random images of MNIST's shape are used: the cost of
an epoch does not depend on the pixel values.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from vanishing.engine import per_example
from vanishing.mnist.data import load_split
from vanishing.engine.network import Network
from vanishing.engine.stacked import train_stacked
from vanishing.engine.train import Optimizer, momentum_scratch, momentum_step, one_hot, sgd_step, train

SIZES = ([784, 30, 10], [784, 30, 30, 30, 30, 10])


def load_images(path, n):
    if path and Path(path).exists():
        x, labels = load_split(path, n=n)
        return x, labels, f"MNIST {path}"
    rng = np.random.default_rng(0)
    return rng.random((n, 784)), rng.integers(0, 10, n), "random images of MNIST's shape"


def time_engine(sizes, x, labels, args, repeats=3, dtype=np.float64):
    """Best of ``repeats`` single epochs from the same start; returns (seconds, trained net)."""
    best = float("inf")
    for _ in range(repeats):
        net = Network(sizes, np.random.default_rng(1), dtype=dtype)
        start = time.perf_counter()
        train(net, x, labels, epochs=1, mini_batch_size=args.mini_batch, eta=0.1, lmbda=5.0,
              rng=np.random.default_rng(2), engine="reference")
        best = min(best, time.perf_counter() - start)
    return best, net


def dense_floor(x, mini_batch):
    """Seconds of the first layer's two products alone over an epoch: z = x_b (w²)ᵀ (m×784 by 784×30)
    and the gradient δᵀ x_b (30×m by m×784), into preallocated arrays."""
    rng = np.random.default_rng(0)
    wt = np.ascontiguousarray(rng.standard_normal((784, 30)).T).T  # (784, 30) view of a (30, 784) array
    delta = rng.standard_normal((mini_batch, 30))
    z, grad = np.empty((mini_batch, 30)), np.empty((30, 784))
    start = time.perf_counter()
    for k in range(0, len(x) - mini_batch + 1, mini_batch):
        xb = x[k: k + mini_batch]
        np.matmul(xb, wt, out=z)
        np.matmul(delta.T, xb, out=grad)
    return time.perf_counter() - start


def two_epochs(sizes, x, labels, engine, seeds, mini_batch, activation="sigmoid"):
    """One two-epoch run (one net, or len(seeds) > 1 stacked) with ``engine``, in seconds: (first
    epoch with the job's set-up, second epoch); the ends read off the progress lines."""
    rngs = [np.random.default_rng(s) for s in seeds]
    nets = [Network(sizes, rng, activation=activation) for rng in rngs]
    ends = {}

    def log(line):
        ends.setdefault(int(re.search(r"epoch (\d+)/", line).group(1)), time.perf_counter())

    kw = dict(epochs=2, mini_batch_size=mini_batch, eta=0.1, lmbda=5.0, log=log, engine=engine)
    start = time.perf_counter()
    if len(seeds) == 1:
        train(nets[0], x, labels, rng=rngs[0], **kw)
    else:
        train_stacked(nets, x, labels, rngs=rngs, **kw)
    return ends[1] - start, ends[2] - ends[1]


def interleaved(measures, rounds):
    """Each measure (name -> callable returning seconds or a tuple of them) run once per round, in
    turn, so that a change of the machine's load hits all of them; the best of the rounds of each."""
    best = {}
    for _ in range(rounds):
        for name, measure in measures.items():
            value = np.atleast_1d(measure())
            best[name] = value if name not in best else np.minimum(best[name], value)
    return best


FIRST_CALL = """
import sys, time
import numpy as np
start = time.perf_counter()
from vanishing.engine.network import Network
from vanishing.engine.train import train
x = np.zeros((20, 784)); x[:, :100] = 0.5
train(Network([784, 30, 10], np.random.default_rng(0)), x, np.arange(20) % 10, epochs=1, mini_batch_size=10,
      eta=0.1, lmbda=5.0, rng=np.random.default_rng(1), engine="fast")
print(time.perf_counter() - start)
"""


def first_call_seconds():
    """Seconds of a fresh process's first compiled training call (imports included): with an empty
    numba cache (compiling) and then with the cache it filled."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        return [float(subprocess.run([sys.executable, "-c", FIRST_CALL], env=env, check=True, capture_output=True,
                                     text=True).stdout) for _ in range(2)]


def fastpath_lines(x, labels, mini_batch, rounds=5):
    """The compiled engine against the numpy engine and the dense floor, each size's measures
    interleaved (best of ``rounds``); prints the lines and the summary ratios."""
    lit = np.count_nonzero(x) / x.size
    print(f"images light {100 * lit:.1f} % of their pixels; best of {rounds} interleaved rounds, the floor timed in "
          f"each round beside the engines")
    over = []
    for sizes in SIZES:
        deep = sizes == SIZES[-1]
        measures = {"floor": lambda: dense_floor(x, mini_batch)}
        for engine in ("reference", "fast"):
            measures[engine] = lambda engine=engine: two_epochs(sizes, x, labels, engine, [1], mini_batch)
            measures[engine + "5"] = lambda engine=engine: two_epochs(sizes, x, labels, engine, [1, 2, 3, 4, 5],
                                                                      mini_batch)
        if deep:
            measures["relu"] = lambda: two_epochs(sizes, x, labels, "fast", [1], mini_batch, activation="relu")
        best = interleaved(measures, rounds)
        floor = float(best["floor"][0])
        print(f"{sizes}: dense first-layer floor {floor:.3f} s/epoch (the two products of {len(x) // mini_batch} steps)")
        for per, suffix in ((1, ""), (5, "5")):
            (ref_first, ref), (fast_first, fast) = best["reference" + suffix] / per, best["fast" + suffix] / per
            what = "one seed" if per == 1 else f"{per} seeds stacked, per network-epoch"
            print(f"{sizes} {what}: reference {ref:.3f} s/epoch (first, with the set-up, {ref_first:.3f}), fast "
                  f"{fast:.3f} s/epoch (first {fast_first:.3f}), reference / fast {ref / fast:.2f}, "
                  f"reference / floor {ref / floor:.2f}, fast / floor {fast / floor:.2f}")
            if per == 1:
                over.append(fast / floor)
        if deep:
            relu = float(best["relu"][1])
            print(f"{sizes} one seed, fast, ReLU hidden layers (no exp): {relu:.3f} s/epoch, fast / floor "
                  f"{relu / floor:.2f}")
    cold, warm = first_call_seconds()
    print(f"first compiled call in a fresh process (imports included): {cold:.2f} s with an empty numba cache, "
          f"{warm:.2f} s with the cache filled")
    print(f"fast_over_floor {over[0]:.2f}")
    print(f"fast_deep_over_floor {over[1]:.2f}")


def time_reference(sizes, x, labels, args):
    net = Network(sizes, np.random.default_rng(1))
    weights = list(net.weights)
    biases = [b.reshape(-1, 1) for b in net.biases]
    order = np.random.default_rng(2).permutation(len(x))
    start = time.perf_counter()
    weights, _ = per_example.sgd_epoch(weights, biases, x, one_hot(labels), order, args.mini_batch, 0.1, 5.0)
    return time.perf_counter() - start, weights


def time_stacked(sizes, x, labels, seeds, mini_batch, optimizer=None, repeats=3, epochs=1):
    """Best of ``repeats`` runs of len(seeds) nets trained as one stacked computation, in seconds:
    (first epoch, second epoch). The first includes the job's one-time set-up (stacking the
    weights; for SGD, finding the pixels some image lights and copying them); the second, timed
    when ``epochs`` is 2 (else None), is what every further epoch of a job costs. The epochs' ends
    are read off train_stacked's progress lines (the first line of each epoch)."""
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        rngs = [np.random.default_rng(s) for s in seeds]
        nets = [Network(sizes, rng) for rng in rngs]
        ends = {}

        def log(line):
            ends.setdefault(int(re.search(r"epoch (\d+)/", line).group(1)), time.perf_counter())

        start = time.perf_counter()
        train_stacked(nets, x, labels, rngs=rngs, epochs=epochs, mini_batch_size=mini_batch, eta=0.1, lmbda=5.0,
                      optimizer=optimizer, log=log)
        best[0] = min(best[0], ends[1] - start)
        if epochs > 1:
            best[1] = min(best[1], ends[2] - ends[1])
    return best[0], (best[1] if epochs > 1 else None)


def time_single(sizes, x, labels, mini_batch, optimizer, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        net = Network(sizes, np.random.default_rng(1))
        start = time.perf_counter()
        train(net, x, labels, epochs=1, mini_batch_size=mini_batch, eta=0.1, lmbda=5.0,
              rng=np.random.default_rng(2), optimizer=optimizer)
        best = min(best, time.perf_counter() - start)
    return best


def time_steps(sizes, x, labels, mini_batch, steps=300, repeats=5):
    """Seconds per step of sgd_step, momentum_step and Nesterov's, on the same mini-batches, timed
    in turn (best of ``repeats`` rounds each)."""
    y = one_hot(labels)
    batches = [(x[k: k + mini_batch], y[k: k + mini_batch]) for k in range(0, steps * mini_batch, mini_batch)]
    net = Network(sizes, np.random.default_rng(1))
    velocity = [np.zeros_like(p) for p in net.params()]
    scratch = momentum_scratch(net.params())
    steps_of = {
        "sgd": lambda xb, yb: sgd_step(net, xb, yb, 0.01, 5.0, len(x)),
        "momentum": lambda xb, yb: momentum_step(net, xb, yb, 0.01, 5.0, len(x), velocity, 0.9, False, scratch),
        "nesterov": lambda xb, yb: momentum_step(net, xb, yb, 0.01, 5.0, len(x), velocity, 0.9, True, scratch),
    }
    best = dict.fromkeys(steps_of, float("inf"))
    for _ in range(repeats):
        for name, step in steps_of.items():
            start = time.perf_counter()
            for xb, yb in batches:
                step(xb, yb)
            best[name] = min(best[name], (time.perf_counter() - start) / len(batches))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--data", default="data/mnist/train.npz", help="prepared training split")
    parser.add_argument("--n", type=int, default=50000, help="images per epoch")
    parser.add_argument("--mini-batch", type=int, default=10)
    parser.add_argument("--only", choices=["fastpath"], help="print only the compiled engine's lines")
    args = parser.parse_args()
    x, labels, source = load_images(args.data, args.n)
    ratios, costs, reference_s = [], [], {}
    deep = SIZES[-1]
    with threadpool_limits(limits=args.threads, user_api="blas"):
        threads = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        print(f"data: {source}; {len(x)} images; mini-batch {args.mini_batch}; BLAS threads {threads}; "
              f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}, OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE')}")
        fastpath_lines(x, labels, args.mini_batch)
        if args.only:
            return
        for sizes in SIZES:
            fast, net = time_engine(sizes, x, labels, args)
            slow, ref_weights = time_reference(sizes, x, labels, args)
            reference_s[str(sizes)] = slow
            diff = max(float(np.max(np.abs(w - r))) for w, r in zip(net.weights, ref_weights))
            ratios.append(slow / fast)
            print(f"{sizes}: engine {fast:.3f} s/epoch, per-example reference {slow:.3f} s/epoch, "
                  f"ratio {slow / fast:.1f}, max |w - w_ref| {diff:.1e}")
        for sizes in SIZES:
            one, _ = time_engine(sizes, x, labels, args)
            for count, repeats in ((5, 3), (20, 1)):
                first, stack = time_stacked(sizes, x, labels, range(1, count + 1), args.mini_batch, repeats=repeats,
                                            epochs=2)
                per_net = stack / count
                if count == 5:
                    costs.append(stack / one)
                print(f"{sizes}: {count} seeds stacked {stack:.3f} s/epoch (first epoch with the set-up {first:.3f}), "
                      f"one seed {one:.3f} s/epoch, cost {stack / one:.2f} x one seed, {per_net:.3f} s per "
                      f"network-epoch, per-example reference / stacked {reference_s[str(sizes)] / per_net:.1f}")
                if count == 20 and sizes == deep:
                    stacked_deep = reference_s[str(sizes)] / per_net
        for sizes in SIZES:
            f64, _ = time_engine(sizes, x, labels, args)
            f32, _ = time_engine(sizes, x, labels, args, dtype=np.float32)
            print(f"{sizes}: float32 {f32:.3f} s/epoch, float64 {f64:.3f} s/epoch, float64 / float32 {f64 / f32:.2f}")
        for mini_batch in (100, 10):
            step = time_steps(deep, x, labels, mini_batch)
            worst = max(step["momentum"], step["nesterov"]) / step["sgd"]
            print(f"{deep} mini-batch {mini_batch}: sgd_step {1e6 * step['sgd']:.0f} us, momentum "
                  f"{1e6 * step['momentum']:.0f} us, nesterov {1e6 * step['nesterov']:.0f} us, "
                  f"slower of the two / sgd {worst:.2f}")
            if mini_batch == 100:
                momentum_ratio = worst
        nesterov = Optimizer("nesterov", mu_max=0.99, schedule=True)
        one = time_single(deep, x, labels, 100, nesterov)
        five, _ = time_stacked(deep, x, labels, range(1, 6), 100, nesterov)
        print(f"{deep} mini-batch 100, Nesterov: 5 seeds stacked {five:.3f} s/epoch, one seed {one:.3f} s/epoch, "
              f"{five / 5:.3f} s per network-epoch, one seed / stacked per network {5 * one / five:.2f}")
    print(f"replicas5_cost {max(costs):.2f}")
    print(f"stacked_deep_speedup {stacked_deep:.1f}")
    print(f"momentum_step_ratio {momentum_ratio:.2f}")
    print(f"speedup {min(ratios):.1f}")


if __name__ == "__main__":
    main()
