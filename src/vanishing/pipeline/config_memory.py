"""Sizes the machine cannot hold, refused before any job: a lower bound of one job's memory for
every section of the config, against the memory of the machine that checks the config.

Each bound counts only arrays the job certainly holds at once, so a config is never refused for
memory it would not need:

* a trained net [784, w x k, 10]: its parameters P = 784 w + (k - 1) w^2 + 10 w + k w + 10, twice
  (the weights and the gradient of a step), for each of the R seeds a job trains stacked;
* the images it forwards in one pass: N images x w units, N being the largest batch the job
  certainly evaluates at once (the probe images, the full batch, the mini-batch), times the k
  hidden layers where that pass is a back-propagation (which keeps every layer's activations);
  E1's cost and accuracy passes over its cost_images (at least the 10,000 validation images) keep
  one layer at a time;
* E5's scan: 32 bytes per scan point (measured with tracemalloc: the grid and numpy's temporaries).

Bytes per number are the config's ``dtype`` (8 for float64, 4 for float32).
"""

from __future__ import annotations

import os
from pathlib import Path

VALIDATION_IMAGES = 10_000  # E1 records the validation accuracy over all of them every epoch
SCAN_BYTES_PER_POINT = 32


def machine_memory() -> int:
    """Bytes of memory this process may use: the machine's RAM, or its cgroup's limit if lower."""
    limits = [os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")]
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            limits.append(int(text))
    return min(limits)


def net_bytes(width: int, layers: int, replicas: int, images: int, itemsize: int, alive: int | None = None) -> int:
    """Lower bound for a job training ``replicas`` nets [784, width x layers, 10] that forwards
    ``images`` images in one pass keeping ``alive`` hidden layers' activations (default all)."""
    parameters = 784 * width + (layers - 1) * width * width + 10 * width + layers * width + 10
    return itemsize * (2 * replicas * parameters + images * width * (layers if alive is None else alive))


def stacked(section: dict, stack: int) -> int:
    """Seeds one job trains stacked."""
    return max(1, min(stack, len(section.get("seeds", [0]))))


def job_estimates(config: dict) -> list[tuple[str, int, str]]:
    """``(section, bytes, what)`` for each section: the lower bound of its largest job and the sizes
    it comes from. ``config`` has its defaults filled in."""
    itemsize = 4 if config.get("dtype") == "float32" else 8
    beyond, causes = config.get("beyond", {}), config.get("causes", {})
    stack = beyond.get("stack_seeds", {})
    nets = []  # (section name, width, hidden layers, replicas, images key, images, layers kept alive)

    def add(name, section, width, layers, replicas, images_key, images, alive=None):
        if section:
            nets.append((name, width, layers, replicas, images_key, images, alive))

    e1, e2, e3 = (config.get(k, {}) for k in ("depth_accuracy", "initial_speed", "learning_speed"))
    if e1:
        add("depth_accuracy", e1, e1["width"], max(e1["hidden_layers"]), stacked(e1, e1["stack_seeds"]),
            "cost_images", max(e1["cost_images"], VALIDATION_IMAGES), alive=1)
    if e2:
        add("initial_speed", e2, e2["width"], max(e2["hidden_layers"]), 1, "probe_size", e2["probe_size"])
    if e3:
        add("learning_speed", e3, e3["width"], max(e3["hidden_layers"]), 1, "train_size", e3["train_size"])
    why_deeper = config.get("why_deeper", {})
    if e1 and why_deeper.get("budget"):  # E1's runs, trained longer: E1's section with the budget's depths
        budget = {**e1, **why_deeper["budget"]}
        add("why_deeper.budget", budget, budget["width"], max(budget["hidden_layers"]),
            stacked(budget, budget["stack_seeds"]), "cost_images", max(budget["cost_images"], VALIDATION_IMAGES),
            alive=1)
    for key in ("remedies", "equalized"):  # the remedies' runs, in the remedies' protocol or in E1's
        section = why_deeper.get(key)
        if section:
            add(f"why_deeper.{key}", section, section["width"], max(section["hidden_layers"]),
                stacked(section, section["stack_seeds"]), "cost_images",
                max(section["cost_images"], VALIDATION_IMAGES), alive=1)
    sections = [
        ("beyond.init", beyond.get("init"), "widths", 1, "probe_size"),
        ("beyond.saturation", beyond.get("saturation"), "width", stack.get("saturation", 1), "probe_size"),
        ("beyond.optimizers", beyond.get("optimizers"), "width", stack.get("optimizers", 1), "probe_size"),
        ("beyond.table1", beyond.get("table1"), "width", stack.get("table1", 1), "mini_batch_size"),
        ("causes.depth_sweep", causes.get("depth_sweep"), "width", 1, "probe_size"),
        ("causes.jacobian", causes.get("jacobian"), "width", 1, "images"),
        ("causes.regime", causes.get("regime"), "width", 1, "probe_size"),
        ("causes.layerwise", causes.get("layerwise"), "width", 1, "mini_batch_size"),
    ]
    for name, section, width_key, stack_size, images_key in sections:
        if not section:
            continue
        width = max(section["widths"]) if width_key == "widths" else section["width"]
        layers = section["hidden_layers"]
        layers = max(layers) if isinstance(layers, list) else layers
        add(name, section, width, layers, stacked(section, stack_size), images_key, section[images_key])
    estimates = [
        (name, net_bytes(width, layers, replicas, images, itemsize, alive),
         f"width {width}, {layers} hidden layers, {replicas} {'seed' if replicas == 1 else 'seeds'} per job, "
         f"{images_key} {images}, "
         f"{itemsize}-byte numbers")
        for name, width, layers, replicas, images_key, images, alive in nets
    ]
    window = config.get("window", {})
    if window:
        points = window["scan_points"]
        estimates.append(("window", SCAN_BYTES_PER_POINT * points, f"scan_points {points}"))
    return estimates


def gib(n: int) -> str:
    return f"{n / 2**30:,.1f} GiB"


def memory_errors(config: dict, available: int) -> list[str]:
    """One line for each section whose job would need more than ``available`` bytes."""
    return [
        f"config section {name}: one job needs at least {gib(need)} of memory ({what}), more than the "
        f"{gib(available)} of this machine; make it smaller"
        for name, need, what in job_estimates(config)
        if need > available
    ]
