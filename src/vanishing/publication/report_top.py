"""The top of the report: the key findings of the whole report (the chapter, the causes and the
papers' claims), one line each with this run's number and its interval or spread, and the
reproduce box (how to regenerate it, what this run cost, which code and config made it)."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os

from vanishing.chapter import book
from . import markup
from .formats import fixed3, pct, ratio, signed_points
from .wording import depth_phrase, listing, plural, spread, word

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
        f"- **Configuration**: {run['config_name']}; digest {run['config_digest']} (@sec-reproducibility).",
        f"- **This run**: {run['wall_time']} of wall time, {run['job_time']} of job time summed over its "
        "jobs (@tbl-timings).",
    ]) + "\n"


def key_findings(summary: dict, causes: dict | None = None, beyond: dict | None = None,
                 why_deeper: str | None = None) -> str:
    """The Key findings box: one markdown bullet per part of the report, each with this run's number
    and its interval (or its spread over seeds where the summary has no interval), read from the
    chapter's ``summary``, ``causes`` (causes_summary.json) and ``beyond`` (beyond_summary.json).

    ``why_deeper`` is the slot for the answer to "why is deeper no better?": a markdown sentence
    (without its bullet) placed right after the depth finding; None leaves the slot out.
    """
    lines = [_e1_line(summary["depth_accuracy"]), why_deeper or "",
             _vanishing_line(summary["initial_speed"], causes), _cause_line(causes), _activation_line(causes),
             _protocol_line(summary["learning_speed"], causes), _claims_line(beyond)]
    return "\n".join(f"- {line}" for line in lines if line) + "\n"


def _e1_line(s):
    depths = {d["hidden_layers"]: d for d in s["per_depth"]}
    best = depths[s["best_depth"]]
    acc = spread(best["final_accuracy"], pct, " %")
    book_best = s["book_best_depth"]
    name = f"**Depth** (E1: validation accuracy of nets with {depth_phrase(depths)})."
    theirs = (f"the book: {plural(book_best, 'hidden layer')}, {pct(book.DEPTH_ACCURACY[book_best])} % after "
              f"{book.DEPTH_ACCURACY_SETUP['epochs']} epochs")
    if len(depths) == 1:
        return f"{name} Only one depth ran: {acc} after {plural(s['epochs'], 'epoch', words=False)}; {theirs}."
    over = "mean ± sd over seeds" if best["final_accuracy"]["n"] > 1 else "one seed"
    line = (f"{name} Best with {plural(best['hidden_layers'], 'hidden layer')}: {acc} after "
            f"{plural(s['epochs'], 'epoch', words=False)} ({over}); {theirs}.")
    return line + _depth_difference(depths)


def _depth_difference(depths):
    """' Four against two hidden layers: −0.13 points (95 % interval …).' for the book's second reading
    (else its first), from Welch's interval over seeds; '' without the depths or the seeds."""
    from vanishing.beyond.verdicts import e1_readings

    stats = {k: d["final_accuracy"] for k, d in depths.items()}
    if min(st["n"] for st in stats.values()) < 2:
        return ""
    readings = e1_readings(stats)
    for name, (deep, shallow) in (("four_vs_two", (4, 2)), ("two_vs_one", (2, 1))):
        if name in readings:
            i = readings[name]["interval"]
            return (f" {plural(deep, 'hidden layer').capitalize()} against {word(shallow)}: "
                    f"{signed_points(i['estimate'])} points (95 % interval {signed_points(i['lo'])} to "
                    f"{signed_points(i['hi'])}).")
    return ""


def _factor(causes, activation, init):
    """The causes' depth-sweep row of one activation and initialization, or None."""
    for row in (causes or {}).get("factors", []):
        if row.get("activation") == activation and row.get("init") == init:
            return row
    return None


def _gain(row):
    """'0.209 (95 % interval 0.203–0.215)' of a depth-sweep row's measured per-layer gain."""
    return (f"{fixed3(row['measured_gain'])} (95 % interval {fixed3(row['measured_low'])}–"
            f"{fixed3(row['measured_high'])})")


def _deepest(s):
    """The entry of ``s["per_depth"]`` with the most hidden layers, if it has more than one; else None."""
    deep = [d for d in s["per_depth"] if d["hidden_layers"] > 1]
    return max(deep, key=lambda d: d["hidden_layers"]) if deep else None


def _vanishing_line(initial, causes):
    """E6's per-layer gain of sigmoid nets (with its interval), then E2's ratio of the deepest net."""
    row, d = _factor(causes, "sigmoid", "scaled"), _deepest(initial)
    if row is None and d is None:
        return ""
    text = "**The gradient vanishes** (E2, E6: the speed of learning ‖δˡ‖ of each layer at initialization)."
    if row is not None:
        text += (f" In sigmoid nets with the book's initialization each layer multiplies the gradient by "
                 f"{_gain(row)} on its way towards the input (E6, up to {row['hidden_layers']} hidden layers).")
    if d is not None:
        k, r = d["hidden_layers"], d["last_over_first"]
        rng = f"mean over {r['n']} seeds, range {ratio(r['min'])}–{ratio(r['max'])}" if r["n"] > 1 else "one seed"
        published = book.INITIAL_SPEED.get(k)
        theirs = f"; the book's values give {ratio(published[-1] / published[0])}" if published else ""
        text += (f" With {plural(k, 'hidden layer')} the last learns {ratio(r['mean'])} times faster than the "
                 f"first (E2, {rng}{theirs}).")
    return text


def _cause_line(causes):
    row = _factor(causes, "sigmoid", "scaled")
    if row is None or "simple_gain" not in row:
        return ""
    return ("**Its cause, eq. (124).** The stretch of the weights times the root mean square of σ′ predicts "
            f"{fixed3(row['simple_gain'])} per layer without any back-propagation (measured: "
            f"{fixed3(row['measured_gain'])}).")


def _activation_line(causes):
    rows = {name: _factor(causes, *name.split("_")) for name in ("tanh_glorot", "relu_scaled", "sigmoid_glorot")}
    parts = [f"{label} {_gain(rows[name])}" for name, label in
             (("tanh_glorot", "tanh with the normalized initialization"), ("relu_scaled", "ReLU with the book's"),
              ("sigmoid_glorot", "sigmoid with the normalized")) if rows[name] is not None]
    if not parts:
        return ""
    return "**Activation and initialization** (E6). The per-layer factor is " + listing(parts) + "."


def _protocol_line(learning, causes):
    """E3's ratio over training (full-batch), then the mini-batch regime runs: when the gap closes."""
    d = _deepest(learning)
    if d is None:
        return ""
    k, r = d["hidden_layers"], d["ratio_over_training"]
    text = (f"**Training closes the gap, slowly** (E3: full-batch descent for "
            f"{plural(learning['epochs'], 'epoch', words=False)}). With {plural(k, 'hidden layer')} the last learns "
            f"{ratio(r['median'])} times faster than the first (median over epochs and seeds, range "
            f"{ratio(r['min'])}–{ratio(r['max'])}).")
    regime = (causes or {}).get("regime", {})
    base = next((v for v in regime.get("variants", []) if v.get("variant") == "baseline"), None)
    closed = (causes or {}).get("thresholds", {}).get("closed_gap")
    if base is not None and closed is not None and "e3_updates" in regime:
        falls = (f"falls below {ratio(closed)} only after {base['updates_to_close']:,} updates"
                 if base.get("updates_to_close") is not None
                 else f"does not fall below {ratio(closed)} within {base['updates_final']:,} updates")
        text += (f" With the book's mini-batch settings the ratio {falls} (median over seeds), while E3 makes "
                 f"{regime['e3_updates']:,}.")
    return text


CLAIM_GROUPS = {"r1": "R1, gradients at initialization", "r2": "R2, saturation during training",
                "r3": "R3, momentum", "r4": "R4, Glorot and Bengio's Table 1"}


def _claims_line(beyond):
    """How many of the papers' claims each verdict got, then one claim with its effect and interval."""
    if not beyond:
        return ""
    from vanishing.beyond.verdicts import interval_from_json

    claims = [c for r in CLAIM_GROUPS for c in (beyond.get(r) or {}).get("claims", {}).values()]
    if not claims:
        return ""
    counts = {}
    for c in claims:
        counts[c.get("verdict", "–")] = counts.get(c.get("verdict", "–"), 0) + 1
    tally = listing(f"{n} {_VERDICT_COUNTED.get(verdict, verdict)}"
                    for verdict, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    text = (f"**The papers' claims** ({'; '.join(CLAIM_GROUPS.values())}). Of {len(claims)} claims of Glorot and "
            f"Bengio and of Sutskever et al.: {tally} (@tbl-beyond-verdicts).")
    r4 = beyond.get("r4") or {}
    # a claim is quoted with its effect only when its test could bear a verdict; R4's stuck nets are
    # a finding of their own
    table1 = next((c for c in r4.get("claims", {}).values() if c.get("verdict") not in ("not tested", "not run")),
                  None)
    interval = interval_from_json(table1.get("interval")) if table1 is not None else None
    if interval is not None and math.isfinite(interval["half_width"]):
        text += (f" {table1['claim'].rstrip('.')}: {signed_points(interval['estimate'])} points (95 % interval "
                 f"{signed_points(interval['lo'])} to {signed_points(interval['hi'])}), *{table1.get('verdict', '–')}*.")
    stuck = r4.get("stuck_findings") or []
    if stuck:
        text += f" In R4, {stuck[0]}."
    return text


# "4 supported, 2 cannot tell": how a count of claims reads with each verdict
_VERDICT_COUNTED = {"supports": "supported", "contradicts": "contradicted", "cannot tell": "undecided (cannot tell)"}
