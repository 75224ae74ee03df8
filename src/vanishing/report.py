"""What the report quotes, built from the pipeline's outputs: the variables behind Quarto's
``{{< var ... >}}`` shortcodes and the generated markdown tables. Every number in the report
passes through here, formatted once; the book's values are labelled as the book's.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import yaml

from . import book

# --- formatting -------------------------------------------------------------------------------


def pct(x):
    """An accuracy in percent, as the book prints them."""
    return f"{x:.2f}"


def sig(x, digits=3):
    """A positive measurement to ``digits`` significant figures (no exponent for usual sizes)."""
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa} × 10^{int(exp)}^"
    return text


def ratio(x):
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def sci(x):
    """A tiny or huge number as m × 10^e^ (pandoc/Quarto superscript)."""
    mantissa, exp = f"{x:.2e}".split("e")
    return f"{mantissa} × 10^{int(exp)}^"


def table(header, rows, caption, label):
    """A pipe table with a Quarto caption and cross-reference label."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else ":---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines) + f"\n\n: {caption} {{#{label}}}\n"


def by_depth(items):
    return {d["hidden_layers"]: d for d in items}


# --- E1 ---------------------------------------------------------------------------------------


def e1_variables(s):
    depths = by_depth(s["per_depth"])
    out = {f"k{k}": {"mean": pct(d["final_accuracy"]["mean"]), "std": pct(d["final_accuracy"]["std"]),
                     "book": pct(d["book"]) if d["book"] is not None else "n/a"} for k, d in depths.items()}
    means = {k: d["final_accuracy"]["mean"] for k, d in depths.items()}
    stds = {k: d["final_accuracy"]["std"] for k, d in depths.items()}
    best = s["best_depth"]
    deeper = [k for k in means if k >= 2]
    spread = max(means[k] for k in deeper) - min(means[k] for k in deeper) if len(deeper) > 1 else 0.0
    noise = 2 * max(stds.values())
    out.update({
        "epochs": str(s["epochs"]), "seeds": str(depths[best]["final_accuracy"]["n"]),
        "best_depth": str(best), "best_mean": pct(means[best]),
        "book_best_depth": str(s["book_best_depth"]),
        "deeper_spread": pct(spread), "max_std": pct(max(stds.values())),
        "best_agrees": "agrees" if best == s["book_best_depth"] else "does not agree",
        "ordering_verdict": ("smaller than twice the largest seed-to-seed standard deviation, so this run, "
                             "like the book, cannot rank the deeper nets"
                             if spread < noise else
                             "larger than twice the largest seed-to-seed standard deviation, so the ranking "
                             "of the deeper nets is resolved in this run"),
        "one_vs_two": "better" if means.get(2, 0) > means.get(1, 0) else "no better",
        "conclusion": _depth_conclusion(means, noise),
    })
    # The beyond chapter's decision rule applied to E1 (issue 12): e1.<reading>.{effect,verdict,...}.
    from .beyond.verdicts import e1_readings

    for name, r in e1_readings({k: d["final_accuracy"] for k, d in depths.items()}).items():
        i = r["interval"]
        out[name] = {"effect": f"{i['estimate']:+.2f} [{i['lo']:+.2f}, {i['hi']:+.2f}]", "verdict": r["verdict"],
                     "minimal": f"{'>' if r['side'] == 'above' else '<'} {r['minimal']:+.2f}",
                     "detectable": f"{r['detectable']:+.2f}" if math.isfinite(r["detectable"]) else "–"}
    return out


def _depth_conclusion(means, noise):
    """Whether any net deeper than two hidden layers beats two by more than the seed noise."""
    deeper = [means[k] for k in means if k > 2]
    if 2 not in means or not deeper:
        return "this run has too few depths to say whether more than two hidden layers help"
    if max(deeper) - means[2] < noise:
        return ("the same as the book's: beyond two hidden layers, depth buys nothing here "
                "(no deeper net beats two hidden layers by more than twice the seed spread)")
    return "unlike the book's: here a net deeper than two hidden layers wins by more than twice the seed spread"


def e1_table(s):
    rows = [(d["hidden_layers"], f"{pct(d['final_accuracy']['mean'])} ± {pct(d['final_accuracy']['std'])}",
             f"{pct(d['final_accuracy']['min'])}–{pct(d['final_accuracy']['max'])}",
             pct(d["best_epoch_accuracy"]["mean"]), pct(d["book"]) if d["book"] is not None else "n/a")
            for d in s["per_depth"]]
    return table(["hidden layers", "final accuracy (%), mean ± sd", "range over seeds (%)",
                  "best epoch (%), mean", "book (%)"], rows,
                 f"Validation accuracy after {s['epochs']} epochs (this run, over seeds) and the book's "
                 "published value [@nielsen2015].", "tbl-e1")


# --- E2 ---------------------------------------------------------------------------------------


def e2_variables(s):
    out = {}
    for d in s["per_depth"]:
        k = d["hidden_layers"]
        out[f"k{k}"] = {"ratio": ratio(d["last_over_first"]["mean"]),
                        "ratio_min": ratio(d["last_over_first"]["min"]),
                        "ratio_max": ratio(d["last_over_first"]["max"]),
                        "all_seeds": "in every seed" if d["first_below_last_all_seeds"] else "not in every seed",
                        **{f"l{layer['layer']}": sig(layer["mean"]) for layer in d["layers"]}}
    out["seeds"] = str(s["per_depth"][0]["layers"][0]["n"])
    return out


def e2_table(s):
    rows = []
    for d in s["per_depth"]:
        for layer in d["layers"]:
            rows.append((d["hidden_layers"], layer["layer"], sig(layer["mean"]), sig(layer["std"]),
                         f"{sig(layer['min'])}–{sig(layer['max'])}",
                         sig(layer["book"]) if layer["book"] is not None else "n/a"))
    return table(["hidden layers", "layer", "‖δˡ‖ mean", "sd", "range over seeds", "book"], rows,
                 "Speed of learning ‖δˡ‖ of each hidden layer at initialization, over the first 1000 "
                 "training images (this run, over seeds) and the book's values [@nielsen2015].", "tbl-e2")


# --- E3 ---------------------------------------------------------------------------------------


def e3_variables(s):
    out = {"epochs": str(s["epochs"])}
    for d in s["per_depth"]:
        out[f"k{d['hidden_layers']}"] = {
            "init": ratio(d["ratio_at_init"]["mean"]), "final": ratio(d["ratio_final"]["mean"]),
            "min": ratio(d["ratio_over_training"]["min"]), "max": ratio(d["ratio_over_training"]["max"]),
            "median": ratio(d["ratio_over_training"]["median"]),
            "throughout": ("The early layers stay slower throughout" if d["ratio_over_training"]["min"] > 1
                           else "The first layer does not stay the slowest throughout")}
    out["book_ratio"] = ratio(book.LEARNING_SPEED_RATIO_4)
    return out


def e3_table(s):
    rows = [(d["hidden_layers"], ratio(d["ratio_at_init"]["mean"]), ratio(d["ratio_over_training"]["median"]),
             f"{ratio(d['ratio_over_training']['min'])}–{ratio(d['ratio_over_training']['max'])}",
             ratio(d["ratio_final"]["mean"]), "roughly 100" if d["book"] else "")
            for d in s["per_depth"]]
    return table(["hidden layers", "at initialization", "median over training", "range over training",
                  f"after epoch {s['epochs']}", "book"], rows,
                 "How many times faster the last hidden layer learns than the first: the ratio of their "
                 "speeds ‖δˡ‖, mean over seeds at initialization and at the end, pooled over epochs and "
                 "seeds for the median and range.", "tbl-e3")


# --- E4, E5 -----------------------------------------------------------------------------------


def e4_variables(s):
    return {"depth": str(s["depth"]), "max_rel_diff": sci(s["max_rel_diff"]) if s["max_rel_diff"] else "0",
            "factor": ratio(s["exploding_factor_per_layer"]["mean"]),
            "book_factor": ratio(s["book_exploding_factor"]),
            "first_over_last": sci(s["vanishing_first_over_last"]["median"]),
            "first_over_last_min": sci(s["vanishing_first_over_last"]["min"]),
            "first_over_last_max": sci(s["vanishing_first_over_last"]["max"]),
            "seeds": str(s["vanishing_first_over_last"]["n"])}


def e5_variables(s):
    return {"max_abs_diff": sci(s["max_abs_diff"]), "points": str(s["points"]),
            "widest_w": f"{s['widest_w']:.3f}", "widest_width": f"{s['widest_width']:.4f}",
            "sigma_prime_max": f"{s['sigma_prime_max']:.4f}", "sigma_prime_argmax": f"{s['sigma_prime_argmax']:g}",
            "book_widest_w": f"{s['book']['widest_w']:.3f}", "book_widest_width": f"{s['book']['widest_width']:.4f}"}


# --- reproducibility appendix -----------------------------------------------------------------


def read_benchmarks(paths):
    """Rows (rule target, seconds, max RSS MB) from Snakemake's benchmark files."""
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            record = next(csv.DictReader(f, delimiter="\t"))
        rows.append((Path(path).with_suffix("").as_posix().split("benchmarks/", 1)[-1],
                     float(record["s"]), float(record["max_rss"]) if record["max_rss"] not in ("-", "NA") else float("nan")))
    return rows


def timings_table(benchmarks):
    groups = {}
    for name, seconds, rss in benchmarks:
        groups.setdefault(name.split("/")[0], []).append((seconds, rss))
    rows = [(g, len(v), f"{sum(s for s, _ in v):.1f}", f"{max(s for s, _ in v):.1f}", f"{max(r for _, r in v):.0f}")
            for g, v in sorted(groups.items())]
    return table(["step", "jobs", "total seconds", "longest job (s)", "max RSS (MB)"], rows,
                 "Time and memory per step, from the rules' `benchmark:` files of this run.", "tbl-timings")


def data_table(manifest):
    rows = [(f"`{name}`", f"`{info['sha256']}`", info["size"]) for name, info in manifest["files"].items()]
    return table(["file", "SHA-256", "bytes"], rows,
                 f"The MNIST files of this run, from `{manifest['source']}`, each checked against its "
                 "canonical SHA-256.", "tbl-data")


def packages_table(provenance):
    rows = [(name, version or "not installed") for name, version in provenance["packages"].items()]
    rows.append(("python", provenance["machine"]["python"]))
    return table(["package", "version"], rows, "Package versions of the run that wrote the summary.",
                 "tbl-packages")


def config_block(config):
    return "```yaml\n" + yaml.safe_dump(config, sort_keys=False, width=100) + "```\n"


# --- everything -------------------------------------------------------------------------------


def report_variables(summary):
    prov = summary["provenance"]
    return {
        "e1": e1_variables(summary["depth_accuracy"]),
        "e2": e2_variables(summary["initial_speed"]),
        "e3": e3_variables(summary["learning_speed"]),
        "e4": e4_variables(summary["chain"]),
        "e5": e5_variables(summary["window"]),
        "run": {"code_version": f"`{prov['code_version']}`", "platform": prov["machine"]["platform"],
                "cpus": str(prov["machine"]["cpus"]), "processor": prov["machine"]["processor"] or "unknown",
                "python": prov["machine"]["python"], "data_source": f"`{summary['data']['source']}`",
                "fetched_at": summary["data"].get("fetched_at", "unknown")},
    }


def report_tables(summary, benchmark_paths):
    return {
        "_generated/e1.md": e1_table(summary["depth_accuracy"]),
        "_generated/e2.md": e2_table(summary["initial_speed"]),
        "_generated/e3.md": e3_table(summary["learning_speed"]),
        "_generated/data.md": data_table(summary["data"]),
        "_generated/packages.md": packages_table(summary["provenance"]),
        "_generated/timings.md": timings_table(read_benchmarks(benchmark_paths)),
        "_generated/config.md": config_block(summary["config"]),
    }
