"""R3: SGD, classical momentum and Nesterov's accelerated gradient with Sutskever et al.'s (2013)
momentum schedule μₜ = min(1 − 2^(−1 − log₂(⌊t/250⌋ + 1)), μ_max) and their final phase (μ lowered
to 0.9 for the last ``final_updates`` updates), on a well-initialized net.

Two stages. *Selection*: every optimizer at every η of the grid, on the ``select_seeds``; each
optimizer's η is the one with the lowest mean final training cost (the paper's measure; a run
that diverged or is stuck at chance counts as +inf), flagged when it sits at the edge of the
grid. *Comparison*: every optimizer at its chosen η on the other ``seeds``; the claims compare
the final training cost of these runs.

Preconditions of every claim (``claim_preconditions``): μ = μ_max for at least MU_FRACTION of the
updates for each compared momentum setting (the paper's schedule is mostly at μ_max: at 0.99,
with a final phase of 1,000 updates, that needs ≥ 53,000 updates), each compared optimizer's η inside its grid, at least MIN_SEEDS
selection seeds and MIN_SEEDS comparison seeds that did not diverge. A claim whose precondition
fails is "not tested" at this scale. A run whose weights or
cost are not finite has *diverged*; one with finite numbers whose validation accuracy ends at or
below chance level (``training.CHANCE_ACCURACY``) is *stuck at chance*. Both are counted apart and
reported. A diverged run has no final numbers and is left out of the means; a stuck run's numbers
are what that optimizer did with that seed, so they stay in the comparison's means (in the
selection a stuck seed still makes its η count as +inf: such an η is never the one to choose).

selected_eta.json is strict JSON: a mean selection cost that is +inf (some selection seed
diverged or was stuck at that η; ``diverged_by_eta`` and ``stuck_by_eta`` count them) is
written as null; ``selection_costs`` reads it back as +inf.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from vanishing.chapter import book
from vanishing.mnist.data import load_split
from vanishing.engine.train import Optimizer, accuracy, sutskever_mu
from .training import BeyondMonitor, is_diverged, is_stuck, record, section_net, stats, train_seeds
from .verdicts import judge, precondition, ratio_interval

MARKEDLY = 1.25  # "markedly worse without momentum": SGD's final cost at least 1.25 x the best momentum's
HIGHER_MU_MINIMAL = 1.1  # "poorly tuned (smaller) μ_max is worse": cost at 0.9 at least 1.1 x cost at 0.99
NESTEROV_MINIMAL = 1.0  # "Nesterov better than classical momentum": any ratio above 1 (the paper's: about 1.05)
MU_LOW, MU_HIGH = 0.9, 0.99
MU_REACHED_AT = 12250  # the first update at which the schedule reaches 0.99
MU_FRACTION = 0.75  # precondition: μ = μ_max for at least 75 % of the updates
MIN_SEEDS = 3  # precondition: selection seeds, and comparison seeds per optimizer
SELECTION_MEASURE = "training_cost"  # the paper's measure

COLUMNS = {
    "stage": "select (choosing η) or final (comparing the optimizers at their chosen η)",
    "optimizer": "sgd, momentum-<mu_max> or nesterov-<mu_max>", "method": "sgd, momentum or nesterov",
    "mu_max": "cap of Sutskever et al.'s momentum schedule (0 for sgd)", "eta": "learning rate",
    "seed": "seed", "epoch": "epoch (0 = before training)",
    "training_cost": "mean cost over the training images (+ L2 term if lmbda > 0; the selection criterion)",
    "validation_cost": "mean cost over the 10,000 validation images",
    "validation_accuracy": "accuracy (%) on the 10,000 validation images",
    "test_accuracy": "accuracy (%) on the 10,000 test images after the last epoch (final stage; else empty)",
    "speed_layer<j>": "‖δˡ‖ of hidden layer j over the first probe_size training images",
}

OPTIMIZER_NAME = re.compile(r"^(sgd|momentum|nesterov)(?:-(0\.\d+))?$")


def optimizer_names(section):
    """The R3 optimizers as path-safe names: 'sgd', and '<method>-<mu_max>' for the others."""
    names = []
    for method in section["methods"]:
        names += ["sgd"] if method == "sgd" else [f"{method}-{mu}" for mu in section["mu_max"]]
    return names


def parse_optimizer(name):
    """'nesterov-0.99' -> ('nesterov', 0.99); 'sgd' -> ('sgd', 0.0)."""
    match = OPTIMIZER_NAME.match(name)
    if not match or (match.group(1) == "sgd") == (match.group(2) is not None):
        raise ValueError(f"not an optimizer name: {name!r} (expected 'sgd' or '<momentum|nesterov>-<mu_max>')")
    return match.group(1), float(match.group(2) or 0.0)


METHOD_NAMES = {"sgd": "SGD", "momentum": "classical momentum", "nesterov": "Nesterov"}


def optimizer_label(name):
    """'nesterov-0.99' -> 'Nesterov, cap 0.99'; 'sgd' -> 'SGD': an optimizer's name for readers."""
    method, mu = parse_optimizer(name)
    return METHOD_NAMES[method] + (f", cap {mu:g}" if mu > 0 else "")


def total_updates(section):
    return section["epochs"] * -(-section["train_size"] // section["mini_batch_size"])


def first_update_at(mu_max, step=250):
    """The first update t at which Sutskever et al.'s schedule reaches ``mu_max`` (0 for SGD)."""
    if mu_max <= 0:
        return 0
    k = 0
    while sutskever_mu(k * step, 1.0) < mu_max:
        k += 1
    return k * step


def lowered_at_end(mu_max, final_updates):
    """The updates at the end of a run at which the final phase holds μ below ``mu_max``: all
    ``final_updates`` when μ_max is above the final phase's μ (0.9), else none."""
    return int(final_updates) if mu_max > book.SUTSKEVER_FINAL_MU else 0


def fraction_at_mu_max(mu_max, updates, schedule=True, final_updates=0):
    """The fraction of ``updates`` at which μ = μ_max: from the update at which the schedule reaches
    it (0 without the schedule) to the start of the final phase (1 for SGD)."""
    if mu_max <= 0:
        return 1.0
    start = first_update_at(mu_max) if schedule else 0
    return max(0, updates - lowered_at_end(mu_max, final_updates) - start) / updates


def updates_for_fraction(mu_max, fraction=MU_FRACTION, final_updates=0, schedule=True):
    """The fewest updates for which μ = μ_max during ``fraction`` of them."""
    held = (first_update_at(mu_max) if schedule else 0) + lowered_at_end(mu_max, final_updates)
    return math.ceil(held / (1.0 - fraction))


def section_optimizer(section, method, mu_max):
    """The train.Optimizer of one R3 optimizer: the section's schedule and final phase."""
    return Optimizer(kind=method, mu_max=mu_max if method != "sgd" else book.SUTSKEVER_FINAL_MU,
                     schedule=section["schedule"], final_updates=section["final_updates"],
                     final_mu=book.SUTSKEVER_FINAL_MU)


def optimizer_run(section, optimizer, eta, seed, splits, stage, dtype=np.float64, log=None):
    """R3: one optimizer at one η and seed: training and validation cost, validation accuracy and
    the per-layer speeds after every epoch (entry 0 before training); the test accuracy at the
    end of a final-stage run."""
    return optimizer_runs(section, optimizer, eta, [seed], splits, stage, dtype, log)[0]


def optimizer_runs(section, optimizer, eta, seeds, splits, stage, dtype=np.float64, log=None):
    """``optimizer_run`` for several runs of one optimizer, trained as one stacked computation: one
    record per run, in the order of ``seeds``. ``eta`` is one learning rate for all, or one per
    run (the selection stage stacks the η of the grid on one seed: ``selection_runs``)."""
    method, mu_max = parse_optimizer(optimizer)
    etas = [float(e) for e in eta] if np.ndim(eta) else [float(eta)] * len(seeds)
    if len(etas) != len(seeds):
        raise ValueError(f"{len(etas)} learning rates for {len(seeds)} seeds")
    x, y = load_split(splits["train"], n=section["train_size"], dtype=dtype)
    vx, vy = load_split(splits["validation"], dtype=dtype)
    nets, rngs = zip(*(section_net(section, section["activation"], section["init"], section["width"], seed, dtype)
                       for seed in seeds))
    p = section["probe_size"]
    monitors = [BeyondMonitor(x[:p], y[:p], bias_neurons=0, cost_x=x, cost_y=y, valid_x=vx, valid_y=vy,
                              lmbda=section["lmbda"], n=len(x), valid_cost=True) for _ in seeds]
    opt = section_optimizer(section, method, mu_max)
    labels = [f"R3 {stage} {optimizer} eta={e:g} seed={seed} (width={section['width']}, {section['activation']})"
              for e, seed in zip(etas, seeds)]
    runs = train_seeds(list(nets), list(rngs), x, y, monitors, labels_of_runs=labels, log=log,
                       epochs=section["epochs"], mini_batch_size=section["mini_batch_size"],
                       eta=etas if len(etas) > 1 else etas[0], lmbda=section["lmbda"], optimizer=opt)
    tx, ty = load_split(splits["test"], dtype=dtype) if stage == "final" else (None, None)
    out = []
    for net, e, seed, (history, stopped) in zip(nets, etas, seeds, runs):
        test = accuracy(net, tx, ty) if stage == "final" and stopped is None else None
        out.append(record("beyond_optimizers", section, dtype, stage=stage, optimizer=optimizer, method=method,
                          mu_max=mu_max, eta=e, seed=seed, diverged_at_epoch=stopped, test_accuracy=test,
                          history=history))
    return out


def selection_runs(section, optimizer, etas, seed, splits, dtype=np.float64, log=None):
    """The selection stage of one optimizer on one seed: every η of ``etas`` from the same initial
    weights and shuffles, trained as one stacked computation (each η as ``optimizer_run`` with it,
    to rounding); one record per η, in the order of ``etas``."""
    return optimizer_runs(section, optimizer, list(etas), [seed] * len(etas), splits, "select", dtype, log)


def optimizers_table(records):
    rows = []
    for r in records:
        h = r["history"]
        for i, epoch in enumerate(h["epoch"]):
            last = i == len(h["epoch"]) - 1
            row = {"stage": r["stage"], "optimizer": r["optimizer"], "method": r["method"], "mu_max": r["mu_max"],
                   "eta": r["eta"], "seed": r["seed"], "epoch": int(epoch), "training_cost": h["training_cost"][i],
                   "validation_cost": h["validation_cost"][i], "validation_accuracy": h["validation_accuracy"][i],
                   "test_accuracy": r["test_accuracy"] if last and r["test_accuracy"] is not None else float("nan")}
            row.update({f"speed_layer{j + 1}": s for j, s in enumerate(h["speed_b"][i][:-1])})
            rows.append(row)
    return pd.DataFrame(rows).sort_values(["stage", "optimizer", "eta", "seed", "epoch"], kind="stable")


def _last(table, section):
    """One row per run: its last record, with ``diverged`` (stopped early, or a final cost or
    accuracy that is not finite), ``stuck`` (finite, accuracy at chance) and ``left_out`` (either:
    what the selection counts as +inf)."""
    last = table.loc[table.groupby(["stage", "optimizer", "eta", "seed"])["epoch"].idxmax()].copy()
    ends = list(zip(last["training_cost"], last["validation_accuracy"],
                    [None if e == section["epochs"] else e for e in last["epoch"]]))
    last["diverged"] = [is_diverged(*end) for end in ends]
    last["stuck"] = [is_stuck(*end) for end in ends]
    last["left_out"] = last["diverged"] | last["stuck"]
    return last


def select_eta(runs, section):
    """Selection stage (records of the select runs): each optimizer's η with the lowest mean final
    training cost (SELECTION_MEASURE) over the selection seeds (a run that diverged or is stuck at
    chance counts as +inf, written as null), and whether it is at the edge of the grid."""
    table = optimizers_table(runs)
    last = _last(table, section)
    out = {}
    for opt, g in last.groupby("optimizer"):
        cost = g[SELECTION_MEASURE].where(~g["left_out"] & np.isfinite(g[SELECTION_MEASURE]), np.inf)
        by_eta = cost.groupby(g["eta"]).mean().sort_index()
        best = float(by_eta.idxmin())
        grid = sorted(float(e) for e in by_eta.index)
        count = lambda column: {f"{e:g}": int(d) for e, d in g.groupby("eta")[column].sum().items()}  # noqa: E731
        out[opt] = {"eta": best, "edge": "low" if best == grid[0] else "high" if best == grid[-1] else None,
                    "grid": grid, "selection_measure": SELECTION_MEASURE,
                    "selection_cost_by_eta": {f"{e:g}": float(c) if np.isfinite(c) else None for e, c in by_eta.items()},
                    "diverged_by_eta": count("diverged"), "stuck_by_eta": count("stuck"),
                    "seeds": sorted(int(s) for s in g["seed"].unique())}
    return out


def selection_costs(entry):
    """One optimizer's ``selection_cost_by_eta`` from selected_eta.json as floats, null read back
    as +inf (a selection seed diverged or was stuck at that η)."""
    return {eta: math.inf if cost is None else float(cost) for eta, cost in entry["selection_cost_by_eta"].items()}


def _deviations(section):
    k, w = section["hidden_layers"], section["width"]
    return [f"a classifier [784, {w}×{k}, 10] with the {section['cost'].replace('_', '-')} cost (the paper: deep "
            "autoencoders, squared error)",
            f"{section['init']} init (the paper: sparse init)",
            f"{total_updates(section):,} updates on {section['train_size']:,} MNIST images, mini-batches of "
            f"{section['mini_batch_size']} (the paper: far longer)",
            "η chosen on the final training cost of separate seeds"]


def claim_preconditions(section, selection, runs, compared):
    """The preconditions of a claim comparing the optimizers ``compared``: μ at μ_max for
    MU_FRACTION of the updates (momentum settings), the chosen η inside the grid, MIN_SEEDS
    selection seeds, MIN_SEEDS comparison seeds that did not diverge."""
    updates = total_updates(section)
    out = []
    for opt in compared:
        method, mu = parse_optimizer(opt)
        if mu > 0:
            out.append(precondition(f"fraction of updates at the momentum cap μ = {mu:g} ({METHOD_NAMES[method]})",
                                    fraction_at_mu_max(mu, updates, section["schedule"], section["final_updates"]),
                                    MU_FRACTION))
    for opt in compared:
        out.append(precondition(f"chosen η inside the grid on {SELECTION_MEASURE.replace('_', ' ')} ({optimizer_label(opt)})",
                                selection[opt]["edge"] is None, True, "=="))
    out.append(precondition("selection seeds", len(section["select_seeds"]), MIN_SEEDS))
    for opt in compared:
        out.append(precondition(f"comparison seeds that did not diverge ({optimizer_label(opt)})",
                                runs[opt]["seeds"] - runs[opt]["diverged_seeds"], MIN_SEEDS))
    return out


def summarize_optimizers(table, section, selection):
    """R3: the final stage's costs at each optimizer's chosen η (diverged runs counted and left out,
    runs stuck at chance counted and kept) and the claims, compared by the ratio of geometric mean
    final training costs."""
    last = _last(table[table["stage"] == "final"], section)
    runs = {}
    for opt, g in last.groupby("optimizer"):
        ok = g[~g["diverged"]]
        runs[opt] = {"optimizer": opt, "eta": float(g["eta"].iloc[0]), "edge": selection[opt]["edge"],
                     "final_training_cost": stats(ok["training_cost"]),
                     "final_validation_accuracy": stats(ok["validation_accuracy"]),
                     "test_error": stats(100.0 - ok["test_accuracy"]), "seeds": int(len(g)),
                     "diverged_seeds": int(g["diverged"].sum()), "stuck_seeds": int(g["stuck"].sum())}

    def costs(opt):
        g = last[(last["optimizer"] == opt) & ~last["diverged"]]
        return g["training_cost"].to_numpy()

    common = {"source": book.SUTSKEVER, "tested_as_stated": "partly", "deviations": _deviations(section),
              "log": True, "ran": True}
    momentum = [o for o in runs if o != "sgd"]
    claims = {}
    if "sgd" in runs and momentum:
        # The best momentum setting among those whose μ_max is in force long enough to be tested here.
        in_force = [o for o in momentum if fraction_at_mu_max(parse_optimizer(o)[1], total_updates(section),
                                                              section["schedule"], section["final_updates"])
                    >= MU_FRACTION] or momentum
        best = min(in_force, key=lambda o: min(selection_costs(selection[o]).values()))
        claims["sgd_worse"] = judge(
            "A well-initialized net trains markedly worse without momentum.", where="Abstract; Sect. 4, Table 1",
            measure=f"final training cost of SGD over that of {optimizer_label(best)} (the momentum setting with the "
                    f"lowest selection cost among those at μ_max for at least {100 * MU_FRACTION:.0f} % of the "
                    "updates), ratio of geometric means",
            compared=["sgd", best],
            interval=ratio_interval(costs("sgd"), costs(best)), minimal=MARKEDLY, side="above", null=1.0,
            preconditions=claim_preconditions(section, selection, runs, ["sgd", best]), **common)
    for method in ("momentum", "nesterov"):
        lo, hi = f"{method}-{MU_LOW}", f"{method}-{MU_HIGH}"
        if lo in runs and hi in runs:
            claims[f"higher_mu_{method}"] = judge(
                f"With {'classical momentum' if method == 'momentum' else 'Nesterov'}, μ_max = {MU_HIGH} trains "
                f"better than {MU_LOW}.", where="Sect. 4, Table 1",
                measure=f"final training cost with μ_max = {MU_LOW} over that with {MU_HIGH} ({METHOD_NAMES[method]}), "
                        "ratio of geometric means", compared=[lo, hi],
                interval=ratio_interval(costs(lo), costs(hi)), minimal=HIGHER_MU_MINIMAL, side="above", null=1.0,
                preconditions=claim_preconditions(section, selection, runs, [lo, hi]), **common)
    cm, nag = f"momentum-{MU_HIGH}", f"nesterov-{MU_HIGH}"
    if cm in runs and nag in runs:
        claims["nesterov_better"] = judge(
            f"At μ_max = {MU_HIGH} Nesterov's accelerated gradient trains better than classical momentum.",
            where="Sect. 4, Table 1",
            measure=f"final training cost of classical momentum over that of Nesterov at μ_max = {MU_HIGH}, ratio of "
                    "geometric means",
            compared=[cm, nag], interval=ratio_interval(costs(cm), costs(nag)), minimal=NESTEROV_MINIMAL,
            side="above", null=1.0, preconditions=claim_preconditions(section, selection, runs, [cm, nag]), **common)
    updates = total_updates(section)
    schedules = {o: section_optimizer(section, *parse_optimizer(o)).for_run(updates) for o in runs if o != "sgd"}
    mu_final = {o: opt.mu(updates - 1) for o, opt in schedules.items()}
    # μ rises with t until the final phase: its highest value is at the phase's start or the last update
    mu_highest = {o: max(opt.mu(t) for t in {updates - section["final_updates"] - 1, updates - 1} if t >= 0)
                  for o, opt in schedules.items()}
    mu_maxes = sorted({parse_optimizer(o)[1] for o in runs} - {0.0})
    return {"epochs": int(section["epochs"]), "updates": updates, "mu_reached_at": MU_REACHED_AT,
            "fraction_at_mu_max": {f"{m:g}": fraction_at_mu_max(m, updates, section["schedule"], section["final_updates"])
                                   for m in mu_maxes},
            "updates_needed": {f"{m:g}": updates_for_fraction(m, MU_FRACTION, section["final_updates"], section["schedule"])
                               for m in mu_maxes},
            "mu_fraction": MU_FRACTION, "final_updates": int(section["final_updates"]),
            "final_mu": book.SUTSKEVER_FINAL_MU, "mu_highest": mu_highest,
            "selection_measure": SELECTION_MEASURE,
            "mu_at_last_update": mu_final, "selection": selection, "runs": runs,
            "best_eta": {o: r["eta"] for o, r in runs.items()},
            "effective_step": {o: r["eta"] / (1.0 - parse_optimizer(o)[1]) for o, r in runs.items()},
            "claims": claims,
            "published": {"label": "Sutskever et al. (2013), Table 1: training squared error of the MNIST deep "
                                   "autoencoder, by method and mu_max",
                          "source": book.SUTSKEVER, "values": book.SUTSKEVER_MNIST_AUTOENCODER}}

