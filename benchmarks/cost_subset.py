"""Does E1's training cost on the first 10,000 images draw the same curves as on all 50,000?

Trains E1's nets (config/config.yaml's depth_accuracy section: 30 epochs, mini-batch 10, its
seeds) stacked, records after every epoch the training cost (mean cost + the L2 term) over the
first ``cost_images`` images and over all ``train_size`` images, and prints per depth the largest
difference between the two against the seed spread (the standard deviation over seeds of the
full cost at the same epoch, epochs 1..30):

    python benchmarks/cost_subset.py [--depths 1 4] [--cost-images 10000] [--epochs 30]
"""

import argparse

import numpy as np
import yaml
from threadpoolctl import threadpool_limits

from vanishing.chapter import experiments
from vanishing.mnist.data import load_split
from vanishing.engine.stacked import train_stacked
from vanishing.engine.train import Monitor, one_hot


class BothCosts(Monitor):
    """E1's monitor, recording the cost over all training images too (``training_cost_all``)."""

    def measure(self, net):
        row = super().measure(net)
        y = one_hot(self.all_y, net.sizes[-1], net.dtype)
        row["training_cost_all"] = net.cost_sum(self.all_x, y) / len(self.all_x) + net.l2_penalty(self.lmbda, self.n)
        return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--cost-images", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--data", default="data/mnist")
    args = parser.parse_args()
    section = yaml.safe_load(open("config/config.yaml"))["depth_accuracy"]
    epochs = args.epochs or section["epochs"]
    x, y = load_split(f"{args.data}/train.npz", n=section["train_size"])
    vx, vy = load_split(f"{args.data}/validation.npz")
    nc = args.cost_images
    with threadpool_limits(limits=1, user_api="blas"):
        for depth in args.depths:
            nets, rngs = zip(*(experiments.section_net(section, depth, s, np.float64) for s in section["seeds"]))
            monitors = []
            for _ in nets:
                m = BothCosts(x[:1000], y[:1000], cost_x=x[:nc], cost_y=y[:nc], valid_x=vx, valid_y=vy,
                              lmbda=section["lmbda"], n=len(x))
                m.all_x, m.all_y = x, y
                monitors.append(m)
            hist = train_stacked(list(nets), x, y, rngs=list(rngs), epochs=epochs,
                                 mini_batch_size=section["mini_batch_size"], eta=section["eta"],
                                 lmbda=section["lmbda"], monitors=monitors)
            sub = np.array([h["training_cost"] for h in hist])[:, 1:]  # (seeds, epochs 1..)
            full = np.array([h["training_cost_all"] for h in hist])[:, 1:]
            spread = full.std(axis=0, ddof=1)
            diff = np.abs(sub - full)
            mean_diff = np.abs(sub.mean(axis=0) - full.mean(axis=0))
            print(f"depth {depth}: cost over {nc} vs {len(x)} images, epochs 1..{epochs}, {len(nets)} seeds: "
                  f"max |subset - all| {diff.max():.4f}, seed std of the full cost {spread.min():.4f}..{spread.max():.4f}, "
                  f"max |diff| / seed std at the same epoch {np.max(diff / spread):.2f}, "
                  f"max |mean over seeds diff| / seed std {np.max(mean_diff / spread):.2f}", flush=True)


if __name__ == "__main__":
    main()
