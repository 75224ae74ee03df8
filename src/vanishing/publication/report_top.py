"""The top of the report: the reproduce box (how to regenerate it, what this run cost, which code
and config made it) and the chapter's key findings, one line each with this run's number, its
spread over seeds and the book's published value."""

from __future__ import annotations

import csv
import hashlib
import json
import os

from vanishing.chapter import book
from . import markup
from .formats import pct, ratio, sci
from .wording import depth_phrase, plural, spread

DEFAULT_CONFIG = "config/config.yaml"


def config_digest(config: dict) -> str:
    """First 12 hex digits of the SHA-256 of the resolved config as canonical JSON."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def run_times(benchmark_paths) -> tuple[float, float]:
    """``(wall, job)`` seconds of this run from Snakemake's benchmark files.

    ``job`` sums every benchmarked job's seconds; ``wall`` runs from the earliest job start
    (a file's modification time less its seconds) to the latest job end (its modification time).
    """
    starts, ends, job = [], [], 0.0
    for path in benchmark_paths:
        with open(path, newline="") as f:
            seconds = float(next(csv.DictReader(f, delimiter="\t"))["s"])
        end = os.stat(path).st_mtime
        starts.append(end - seconds)
        ends.append(end)
        job += seconds
    if not ends:
        raise ValueError("no benchmark files: the run's times are unknown")
    return max(ends) - min(starts), job


def duration(seconds: float) -> str:
    """``"4 min 2 s"``, ``"25 s"``."""
    minutes, sec = divmod(round(seconds), 60)
    return f"{minutes} min {sec} s" if minutes else f"{sec} s"


def run_variables(config: dict, default_config: dict | None, benchmark_paths) -> dict:
    """Variables of the reproduce box: command, times, config name and digest."""
    wall, job = run_times(benchmark_paths)
    default = default_config is not None and config == default_config
    if default:
        name, command = f"the default, `{DEFAULT_CONFIG}`", "snakemake --cores 2 publish"
    else:
        changed = sorted(k for k in set(config) | set(default_config or {})
                         if (default_config or {}).get(k) != config.get(k))
        name = ("a custom configuration (differs from `" + DEFAULT_CONFIG + "` in "
                + ", ".join(markup.code(k) for k in changed) + ")")
        command = "snakemake --cores 2 --configfile <this run's config file>"
    return {"command": f"`{command}`", "wall_time": duration(wall), "job_time": duration(job),
            "config_name": name, "config_digest": markup.code(config_digest(config))}


def reproduce_box(run: dict) -> str:
    """The markdown inside the "Reproduce this report" callout."""
    return "\n".join([
        f"- **Command**: {run['command']}, from a clone of the repository at the code version below "
        "(the README lists the one-time setup).",
        f"- **Code version**: {run['code_version']} (`git describe`; `-dirty` marks uncommitted changes).",
        f"- **Configuration**: {run['config_name']}; digest {run['config_digest']} (SHA-256 of the "
        "resolved configuration printed in @sec-reproducibility).",
        f"- **This run**: {run['wall_time']} of wall time, {run['job_time']} of job time (the sum over "
        "its benchmarked jobs, @tbl-timings).",
    ]) + "\n"


def key_findings(summary: dict) -> str:
    """One markdown bullet per chapter finding: this run's number (spread), then the book's."""
    lines = [_e1_line(summary["depth_accuracy"]), _e2_line(summary["initial_speed"]),
             _e3_line(summary["learning_speed"]), _e4_line(summary["chain"])]
    return "\n".join(f"- {line}" for line in lines if line) + "\n"


def _e1_line(s):
    depths = {d["hidden_layers"]: d for d in s["per_depth"]}
    best = depths[s["best_depth"]]
    acc = spread(best["final_accuracy"], pct, " %")
    book_best = s["book_best_depth"]
    if len(depths) == 1:
        return (f"**Depth.** Only {plural(best['hidden_layers'], 'hidden layer')} ran: {acc} validation accuracy "
                f"after {plural(s['epochs'], 'epoch', words=False)}; the book: "
                f"{pct(book.DEPTH_ACCURACY[book_best])} % at its best depth, {plural(book_best, 'hidden layer')}.")
    return (f"**Depth.** Best mean validation accuracy with {plural(best['hidden_layers'], 'hidden layer')} "
            f"among {depth_phrase(depths)}: {acc} after {plural(s['epochs'], 'epoch', words=False)}; the book: "
            f"{plural(book_best, 'hidden layer')}, {pct(book.DEPTH_ACCURACY[book_best])} % after 30 epochs.")


def _deepest(s):
    """The entry of ``s["per_depth"]`` with the most hidden layers, if it has more than one; else None."""
    deep = [d for d in s["per_depth"] if d["hidden_layers"] > 1]
    return max(deep, key=lambda d: d["hidden_layers"]) if deep else None


def _e2_line(s):
    d = _deepest(s)
    if d is None:
        return ""
    k, r = d["hidden_layers"], d["last_over_first"]
    rng = f" (seeds: {ratio(r['min'])}–{ratio(r['max'])})" if r["n"] > 1 else " (one seed)"
    published = book.INITIAL_SPEED.get(k)
    theirs = (f"; the book's values give {ratio(published[-1] / published[0])}" if published
              else f"; the book gives no values for {plural(k, 'hidden layer')}")
    return (f"**At initialization** the last of {plural(k, 'hidden layer')} learns {ratio(r['mean'])} times "
            f"faster than the first{rng}{theirs}.")


def _e3_line(s):
    d = _deepest(s)
    if d is None:
        return ""
    k, r = d["hidden_layers"], d["ratio_over_training"]
    theirs = ("; the book: “roughly 100 times”" if k == 4
              else "; the book gives a ratio only for four hidden layers")
    return (f"**During training** ({plural(s['epochs'], 'epoch', words=False)}) the ratio stays at a median "
            f"of {ratio(r['median'])} for {plural(k, 'hidden layer')} (range {ratio(r['min'])}–{ratio(r['max'])})"
            f"{theirs}.")


def _e4_line(s):
    v = s["vanishing_first_over_last"]
    return (f"**Chain of {s['depth']} sigmoid neurons**, w and b from N(0, 1): the first neuron's gradient is "
            f"{sci(v['median'])} times the last one's (median over {plural(v['n'], 'seed', words=False)}); the "
            "book argues the decay but gives no number.")
