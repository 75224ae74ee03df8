"""What the report quotes, built from the pipeline's outputs: the variables behind Quarto's
``{{< var ... >}}`` shortcodes and the generated markdown tables. Every number in the report
passes through here, formatted once; the book's values are labelled as the book's.
"""

from __future__ import annotations

import math

from vanishing.chapter import book
from . import markup
from .appendix import config_block, data_table, packages_table, read_benchmarks, timings_table
from .formats import fixed3, pct, ratio, sci, sig, signed_points
from .wording import depth_phrase, listing, net, over_seeds, plural, spread, table, word  # noqa: F401


def by_depth(items):
    return {d["hidden_layers"]: d for d in items}


# --- E1 ---------------------------------------------------------------------------------------


def e1_variables(s, width):
    depths = by_depth(s["per_depth"])
    out = {f"k{k}": {"mean": pct(d["final_accuracy"]["mean"]), "std": pct(d["final_accuracy"]["std"]),
                     "book": pct(d["book"]) if d["book"] is not None else "n/a"} for k, d in depths.items()}
    seeds = min(d["final_accuracy"]["n"] for d in depths.values())
    out.update({
        "epochs": str(s["epochs"]), "seeds": str(seeds),
        "epochs_text": plural(s["epochs"], "epoch", words=False), "seeds_text": over_seeds(seeds),
        "nets": (f"networks {net(min(depths), width)} to {net(max(depths), width)}" if len(depths) > 1
                 else f"a network {net(min(depths), width)}"),
        "depth_phrase": depth_phrase(depths),
        "findings": e1_findings(s),
        "abstract": e1_abstract(s),
    })
    return out


def e1_abstract(s):
    """The abstract's sentence on E1: which depth did best, and whether more layers helped."""
    depths = by_depth(s["per_depth"])
    best = s["best_depth"]
    acc = pct(depths[best]["final_accuracy"]["mean"])
    if len(depths) == 1:
        return f"Only nets with {plural(best, 'hidden layer')} were trained for accuracy (E1), reaching {acc} %."
    more = ("; more layers are no better" if best < max(depths) else "; the deepest nets do best")
    return (f"Of the nets with {depth_phrase(depths)} trained for accuracy (E1), those with "
            f"{plural(best, 'hidden layer')} do best ({acc} % validation accuracy){more}.")


def e1_findings(s):
    """The paragraph comparing this run's depths, saying what was not run instead of comparing nothing."""
    depths = by_depth(s["per_depth"])
    means = {k: d["final_accuracy"]["mean"] for k, d in depths.items()}
    stds = {k: d["final_accuracy"]["std"] for k, d in depths.items()}
    seeds = min(d["final_accuracy"]["n"] for d in depths.values())
    book_best = s["book_best_depth"]
    text = []
    if s["epochs"] != book.DEPTH_ACCURACY_SETUP["epochs"]:
        text.append(f"This run trained for {plural(s['epochs'], 'epoch', words=False)}, not the book's "
                    f"{book.DEPTH_ACCURACY_SETUP['epochs']}, so its accuracies are not comparable with the book's; only the ordering "
                    "of the depths is.")
    if 1 in means and 2 in means:
        better = "better" if means[2] > means[1] else "no better"
        text.append(f"In this run two hidden layers are {better} than one ({pct(means[2])} % against "
                    f"{pct(means[1])} %).")
    else:
        text.append("This run did not train both one and two hidden layers, so it cannot repeat the book's "
                    "first comparison.")
    if len(means) > 1:
        best = s["best_depth"]
        book_too = ("as in the book" if best == book_best
                    else f"the book's best is {plural(book_best, 'hidden layer')}")
        text.append(f"The best mean accuracy is reached with {plural(best, 'hidden layer')} "
                    f"({pct(means[best])} %), {book_too}.")
    else:
        only = next(iter(means))
        text.append(f"Only one depth ran ({plural(only, 'hidden layer')}), so this run has no best depth to "
                    "set against the book's.")
    deeper = sorted(k for k in means if k >= 2)
    if len(deeper) > 1:
        gap = max(means[k] for k in deeper) - min(means[k] for k in deeper)
        if seeds < 2:  # with seeds, the readings below judge the depths' differences
            text.append(f"Among the nets with {depth_phrase(deeper)} the means differ by at most {pct(gap)} points; "
                        "with one seed there is no seed-to-seed spread to judge that gap against.")
    else:
        text.append("Fewer than two nets with two or more hidden layers ran, so this run cannot say whether "
                    "depth beyond two hidden layers helps.")
    text += e1_reading_sentences(depths, seeds)
    return " ".join(text)


_ACTIVATION = {"sigmoid": "sigmoid neurons", "tanh": "tanh neurons", "relu": "rectified linear units"}
_COST = {"cross_entropy": "the cross-entropy cost", "quadratic": "the quadratic cost"}
_INIT = {"scaled": "weights drawn from N(0, 1/n~in~), biases from N(0, 1)",
         "large": "weights and biases drawn from N(0, 1)",
         "glorot": "Glorot and Bengio's normalized initialization (biases 0)"}


def e1_setup(section):
    """How E1 trained, from its config section, and what the book did differently (only that)."""
    ours = {k: section[k] for k in book.DEPTH_ACCURACY_SETUP}
    phrases = {"activation": lambda c: _ACTIVATION.get(c["activation"], c["activation"]),
               "cost": lambda c: _COST.get(c["cost"], c["cost"]),
               "init": lambda c: _INIT.get(c["init"], c["init"]),
               "mini_batch_size": lambda c: f"mini-batches of {c['mini_batch_size']}",
               "eta": lambda c: f"η = {c['eta']:g}", "lmbda": lambda c: f"λ = {c['lmbda']:g}",
               "width": lambda c: f"{c['width']} neurons per hidden layer",
               "epochs": lambda c: f"{c['epochs']} epochs",
               "train_size": lambda c: "all 50,000 training images"}
    images = ("all 50,000 training images" if ours["train_size"] >= 50000
              else f"the first {ours['train_size']:,} training images")
    differs = [k for k in phrases if ours[k] != book.DEPTH_ACCURACY_SETUP[k]]
    same = ("the book's setup" if not differs else
            "the book: " + ", ".join(phrases[k](book.DEPTH_ACCURACY_SETUP) for k in differs) + ", one run")
    setup = ", ".join(phrases[k](ours) for k in ("activation", "cost", "init", "mini_batch_size", "eta", "lmbda"))
    return {"setup": setup, "images": images, "book_setup": same, "width": str(ours["width"]),
            "mini_batch_size": str(ours["mini_batch_size"]), "train_size": f"{ours['train_size']:,}",
            "probe_size": f"{book.SPEED_PROBE_IMAGES:,}"}


def protocol_variables(config):
    """E2's and E3's settings from the run's config, for the prose that describes them."""
    e2, e3 = config["initial_speed"], config["learning_speed"]
    return ({"probe_size": f"{e2['probe_size']:,}"},
            {"train_size": f"{e3['train_size']:,}", "eta": f"{e3['eta']:g}", "lmbda": f"{e3['lmbda']:g}"})


# The book's two readings of E1, as claims the beyond chapter's interval rule decides
# (vanishing.beyond.verdicts.E1_READINGS holds the depths and minimal effects).
_E1_CLAIMS = {"two_vs_one": "a second hidden layer raises the accuracy by more than {m} points",
              "four_vs_two": "four hidden layers do no better than two (a gain below {m} points)"}


def e1_reading_sentences(depths, seeds):
    """The book's readings of E1 decided by the same 95 % interval rule as the beyond claims, and
    what each interval says plainly (better or worse, by how much), with the other depths'
    differences that exclude zero."""
    from vanishing.beyond.verdicts import CANNOT_TELL, e1_readings

    if seeds < 2:
        return ["The book's readings of E1 are not judged: with one seed there is no interval."]
    readings = e1_readings({k: d["final_accuracy"] for k, d in depths.items()})
    out = []
    for name, r in readings.items():
        i = r["interval"]
        interval = (f"{signed_points(i['estimate'])} points (95 % interval {signed_points(i['lo'])} to "
                    f"{signed_points(i['hi'])}, Welch)")
        worse_or_better = "better" if r["direction"] == "higher" else "worse"
        if name not in _E1_CLAIMS:
            if r["direction"]:
                out.append(f"{r['deeper']} hidden layers against {r['shallower']}: {interval}, "
                           f"{worse_or_better}; the book reads nothing into this pair.")
            continue
        claim = _E1_CLAIMS[name].format(m=pct(r["minimal"]))
        plain = ("" if not r["direction"] else
                 f": the deeper nets are {worse_or_better}"
                 + (", by an amount the interval leaves undetermined" if r["verdict"] == CANNOT_TELL else ""))
        detect = (f" (80 % power detects {signed_points(r['detectable'])} points at this spread)"
                  if r["detectable"] is not None and math.isfinite(r["detectable"]) else "")
        out.append(f"For the book's reading that {claim}, the difference is {interval}, verdict *{r['verdict']}* by "
                   f"the rule of @sec-beyond{plain}{detect}.")
    if not any(name in _E1_CLAIMS for name in readings):
        out.append("This run lacks the depths (1, 2 and 4 hidden layers) of the book's two readings, so "
                   "neither is judged.")
    return out


def e1_table(s):
    one_seed = all(d["final_accuracy"]["n"] < 2 for d in s["per_depth"])
    rows = [(d["hidden_layers"], spread(d["final_accuracy"], pct),
             "one seed" if one_seed else f"{pct(d['final_accuracy']['min'])}–{pct(d['final_accuracy']['max'])}",
             pct(d["best_epoch_accuracy"]["mean"]), pct(d["book"]) if d["book"] is not None else "n/a")
            for d in s["per_depth"]]
    head = "final accuracy (%)" if one_seed else "final accuracy (%), mean ± sd"
    return table(["hidden layers", head, "range over seeds (%)", "best epoch (%), mean",
                  f"book (%), {book.DEPTH_ACCURACY_SETUP['epochs']} epochs"], rows,
                 f"Validation accuracy after {plural(s['epochs'], 'epoch', words=False)} (this run, "
                 f"{over_seeds(s['per_depth'][0]['final_accuracy']['n'])}) and the book's published value "
                 "[@nielsen2015].", "tbl-e1")


# --- E2 ---------------------------------------------------------------------------------------


def bars_depth(hidden_layers):
    """The net of the book's bar figure: two hidden layers if this run has it, else the smallest depth."""
    return 2 if 2 in hidden_layers else min(hidden_layers)


def e2_variables(s, width):
    out = {}
    for d in s["per_depth"]:
        k = d["hidden_layers"]
        out[f"k{k}"] = {"ratio": ratio(d["last_over_first"]["mean"]),
                        "ratio_min": ratio(d["last_over_first"]["min"]),
                        "ratio_max": ratio(d["last_over_first"]["max"]),
                        "all_seeds": "in every seed" if d["first_below_last_all_seeds"] else "not in every seed",
                        **{f"l{layer['layer']}": sig(layer["mean"]) for layer in d["layers"]}}
    seeds = s["per_depth"][0]["layers"][0]["n"]
    depths = [d["hidden_layers"] for d in s["per_depth"]]
    out.update({"seeds": str(seeds), "seeds_text": over_seeds(seeds), "depth_phrase": depth_phrase(depths),
                "bars_net": net(bars_depth(depths), width), "findings": e2_findings(s)})
    return out


def e2_findings(s):
    """How much more slowly the first hidden layer learns than the last, deepest net first."""
    deep = sorted((d for d in s["per_depth"] if d["hidden_layers"] > 1), key=lambda d: -d["hidden_layers"])
    if not deep:
        return ("Every net of this run has one hidden layer, which is both the first and the last: there is no "
                "ratio between layers to measure (the ratio is 1 by construction).")
    top = deep[0]
    r = top["last_over_first"]
    text = (f"The first hidden layer of a net with {plural(top['hidden_layers'], 'hidden layer')} learns about "
            f"{ratio(r['mean'])} times more slowly than the last")
    text += f" (range over seeds {ratio(r['min'])} to {ratio(r['max'])})" if r["n"] > 1 else " (one seed)"
    if len(deep) > 1:
        text += "; " + ", ".join(f"with {plural(d['hidden_layers'], 'hidden layer')} the factor is "
                                 f"{ratio(d['last_over_first']['mean'])}" for d in deep[1:])
    text += "."
    if r["n"] > 1:
        where = "in every seed" if top["first_below_last_all_seeds"] else "but not in every seed"
        text += f" The first layer is slower than the last {where} for {plural(top['hidden_layers'], 'hidden layer')}."
    if any(d["hidden_layers"] == 1 for d in s["per_depth"]):
        text += " (With one hidden layer the ratio is 1 by construction: the first layer is the last.)"
    return text


def e2_table(s, probe_size):
    """E2's speeds per depth and layer; ``probe_size`` the run's number of probe images."""
    rows = []
    for d in s["per_depth"]:
        for layer in d["layers"]:
            one = layer["n"] < 2
            rows.append((d["hidden_layers"], layer["layer"], sig(layer["mean"]), "–" if one else sig(layer["std"]),
                         "one seed" if one else f"{sig(layer['min'])}–{sig(layer['max'])}",
                         sig(layer["book"]) if layer["book"] is not None else "n/a"))
    return table(["hidden layers", "layer", "‖δˡ‖ mean", "sd", "range over seeds", "book"], rows,
                 f"Speed of learning ‖δˡ‖ of each hidden layer at initialization, over the first {probe_size:,} "
                 f"training images (this run, {over_seeds(s['per_depth'][0]['layers'][0]['n'])}) and the "
                 "book's values over its first 1,000 [@nielsen2015].", "tbl-e2")


# --- E3 ---------------------------------------------------------------------------------------


def e3_variables(s):
    out = {"epochs": str(s["epochs"]), "epochs_text": plural(s["epochs"], "epoch", words=False)}
    for d in s["per_depth"]:
        out[f"k{d['hidden_layers']}"] = {
            "init": ratio(d["ratio_at_init"]["mean"]), "final": ratio(d["ratio_final"]["mean"]),
            "min": ratio(d["ratio_over_training"]["min"]), "max": ratio(d["ratio_over_training"]["max"]),
            "median": ratio(d["ratio_over_training"]["median"]),
            "throughout": ("The early layers stay slower throughout" if d["ratio_over_training"]["min"] > 1
                           else "The first layer does not stay the slowest throughout")}
    out["book_ratio"] = ratio(book.LEARNING_SPEED_RATIO_4)
    out["findings"] = e3_findings(s)
    return out


def e3_findings(s):
    deep = sorted((d for d in s["per_depth"] if d["hidden_layers"] > 1), key=lambda d: -d["hidden_layers"])
    if not deep:
        return ("This run trained only nets with one hidden layer, whose first layer is also the last: the "
                "ratio of their speeds is 1 by construction, and the book's comparison for four hidden "
                "layers (“roughly 100 times slower”) was not run.")
    top = deep[0]
    r = top["ratio_over_training"]
    k = top["hidden_layers"]
    text = ((f"The early layers stay slower throughout: with {plural(k, 'hidden layer')}"
             if r["min"] > 1 else f"The first layer does not stay the slowest throughout: with "
             f"{plural(k, 'hidden layer')}")
            + f" the last hidden layer learns {ratio(r['median'])} times faster than the first (median over "
            f"epochs and seeds; range {ratio(r['min'])} to {ratio(r['max'])})")
    if k == 4:
        return text + ", against the book's “roughly 100 times slower” for the first layer"
    return text + ("; the book gives its ratio (“roughly 100 times slower”) only for four hidden layers, "
                   "which this run did not train")


def e3_init_note(s, initial):
    """Why the ratio at initialization differs between the E2 and E3 tables (different seeds)."""
    if not initial:
        return ""
    e2 = {d["hidden_layers"]: d["last_over_first"] for d in initial["per_depth"]}
    both = [d for d in s["per_depth"] if d["hidden_layers"] in e2 and d["hidden_layers"] > 1]
    if not both:
        return ""
    d = max(both, key=lambda d: d["hidden_layers"])
    k = d["hidden_layers"]
    return (f"The column “at initialization” repeats the measurement of @tbl-e2 on the "
            f"{plural(d['ratio_at_init']['n'], 'seed', words=False)} of this experiment, so it differs from the "
            f"ratio there ({ratio(e2[k]['mean'])} for {plural(k, 'hidden layer')}, "
            f"{plural(e2[k]['n'], 'seed', words=False)}) only by the seeds averaged.")


def e3_table(s, initial=None):
    rows = [(d["hidden_layers"], ratio(d["ratio_at_init"]["mean"]), ratio(d["ratio_over_training"]["median"]),
             f"{ratio(d['ratio_over_training']['min'])}–{ratio(d['ratio_over_training']['max'])}",
             ratio(d["ratio_final"]["mean"]), "roughly 100" if d["book"] else "")
            for d in s["per_depth"]]
    return table(["hidden layers", "at initialization", "median over training", "range over training",
                  f"after epoch {s['epochs']}", "book"], rows,
                 "How many times faster the last hidden layer learns than the first: the ratio of their "
                 "speeds ‖δˡ‖, mean over seeds at initialization and at the end, pooled over epochs and "
                 "seeds for the median and range.", "tbl-e3") + _paragraph(e3_init_note(s, initial))


def _paragraph(text):
    return f"\n{text}\n" if text else ""


def e3_figures(s):
    """The learning-speed figures of this run: ``(main, appendix)`` markdown, the deepest net's figure
    with the sentence that points at every depth's in the main text, the other depths' in the appendix."""
    depths = sorted(d["hidden_layers"] for d in s["per_depth"])
    main, rest = depths[-1], depths[:-1]
    where = (f"; {listing(f'@fig-e3-{k}' for k in rest)} in @sec-appendix-tables "
             f"{'shows' if len(rest) == 1 else 'show'} the other {'depth' if len(rest) == 1 else 'depths'}"
             if rest else "")
    text = f"@tbl-e3 gives the ratios for every depth, and @fig-e3-{main} each layer's speed with {plural(main, 'hidden layer')}{where}.\n"

    def figure(k):
        return (f"![Speed of learning of each hidden layer during training, {plural(k, 'hidden layer')} "
                f"(mean over seeds, min–max band). Data: [learning_speed.csv](tables/learning_speed.csv)."
                f"](figures/learning_speed_depth{k}.png){{#fig-e3-{k}}}\n")
    return "\n".join([text, figure(main)]), "\n".join(figure(k) for k in rest)


# --- E4, E5 -----------------------------------------------------------------------------------


def e4_variables(s):
    return {"depth": str(s["depth"]), "max_rel_diff": sci(s["max_rel_diff"]) if s["max_rel_diff"] else "0",
            "factor": ratio(s["exploding_factor_per_layer"]["mean"]),
            "book_factor": ratio(s["book_exploding_factor"]),
            "first_over_last": sci(s["vanishing_first_over_last"]["median"]),
            "first_over_last_min": sci(s["vanishing_first_over_last"]["min"]),
            "first_over_last_max": sci(s["vanishing_first_over_last"]["max"]),
            "seeds": str(s["vanishing_first_over_last"]["n"]),
            "max_rel_diff_check": ("identical in every layer and seed" if not s["max_rel_diff"] else
                                   f"equal up to rounding (largest relative difference {sci(s['max_rel_diff'])})")}


def e5_variables(s):
    return {"max_abs_diff": sci(s["max_abs_diff"]), "points": str(s["points"]),
            "widest_w": fixed3(s["widest_w"]), "widest_width": f"{s['widest_width']:.4f}",
            "sigma_prime_max": f"{s['sigma_prime_max']:.4f}", "sigma_prime_argmax": f"{s['sigma_prime_argmax']:g}",
            # the book prints "about 6.9" and "about 0.45": its precision, not ours
            "book_widest_w": f"{s['book']['widest_w']:.1f}", "book_widest_width": f"{s['book']['widest_width']:.2f}"}


# --- everything -------------------------------------------------------------------------------


def report_variables(summary, *extra: dict, run: dict | None = None):
    """Every variable of the report: the chapter's from ``summary``, then ``run`` (reproduce box:
    see :mod:`vanishing.publication.report_top`), then each dict of ``extra`` merged in at the top level (the
    beyond chapter's, the causes', ...); a key defined twice is an error."""
    prov = summary["provenance"]
    config = summary["config"]
    e2_protocol, e3_protocol = protocol_variables(config)
    out = {
        "e1": {**e1_variables(summary["depth_accuracy"], config["depth_accuracy"]["width"]),
               **e1_setup(config["depth_accuracy"])},
        "e2": {**e2_variables(summary["initial_speed"], config["initial_speed"]["width"]), **e2_protocol},
        "e3": {**e3_variables(summary["learning_speed"]), **e3_protocol},
        "e4": e4_variables(summary["chain"]),
        "e5": e5_variables(summary["window"]),
        # machine, code and data text is printed as text, never read as markup (vanishing.publication.markup)
        "run": {"code_version": markup.code(prov["code_version"]), "platform": markup.text(prov["machine"]["platform"]),
                "cpus": markup.text(prov["machine"]["cpus"]), "processor": markup.text(prov["machine"]["processor"] or "unknown"),
                "python": markup.text(prov["machine"]["python"]), "data_source": markup.code(summary["data"]["source"]),
                "fetched_at": markup.text(summary["data"].get("fetched_at", "unknown")), **(run or {})},
    }
    for more in extra:
        for key, value in more.items():
            if key in out:
                raise ValueError(f"report variable {key!r} is defined twice")
            out[key] = value
    return out


def report_tables(summary, benchmark_paths):
    return {
        "_generated/e1.md": e1_table(summary["depth_accuracy"]),
        "_generated/e2.md": e2_table(summary["initial_speed"], summary["config"]["initial_speed"]["probe_size"]),
        "_generated/e3.md": e3_table(summary["learning_speed"], summary["initial_speed"]),
        **dict(zip(("_generated/e3_figures.md", "_generated/e3_figures_more.md"), e3_figures(summary["learning_speed"]))),
        "_generated/data.md": data_table(summary["data"]),
        "_generated/packages.md": packages_table(summary["provenance"]),
        "_generated/timings.md": timings_table(read_benchmarks(benchmark_paths)),
        "_generated/config.md": config_block(summary["config"]),
    }
