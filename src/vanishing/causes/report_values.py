"""What the report's cause sections quote from ``results/causes_summary.json``: the variables behind
``{{< var causes.… >}}`` and the generated tables. Numbers are formatted here once."""

from __future__ import annotations

from vanishing.publication.formats import fixed3, pct, ratio, sig
from vanishing.publication.wording import plural, table

NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}
INIT_NAMES = {"scaled": "the book's N(0, 1/n~in~)", "glorot": "normalized", "standard": "standard U[±1/√n]",
              "large": "N(0, 1)"}
VERDICTS = {"holds": "holds (inside the 95 % interval)", "close": "is close (within {close}, outside the interval)",
            "fails": "fails (off by more than {close})"}
VARIANT_NAMES = {"baseline": "baseline (the book's mini-batch settings)", "weights": "weights", "biases": "biases",
                 "mini_batch_size": "mini-batch size", "lmbda": "λ", "eta": "η", "all": "all (R3's settings)"}


def _interval(lo, hi, fmt=fixed3):
    return f"[{fmt(lo)}, {fmt(hi)}]"


def failing_sentence(rows):
    """What the report says about the activation × init where the prediction misses the interval."""
    missed = [r for r in rows if r["verdict"] != "holds"]
    if not missed:
        return "The per-example gain of the factor predicts the decay of the mean gradient everywhere."
    over = all(r["predicted_gain"] > r["measured_gain"] for r in missed)
    under = all(r["predicted_gain"] < r["measured_gain"] for r in missed)
    names = ", ".join(f"{NAMES[r['activation']]} with the {INIT_NAMES[r['init']]} init" for r in missed)
    how = ("predicts less decay than the speeds show" if over else "predicts more decay than the speeds show"
           if under else "misses in both directions")
    return (f"Where the prediction misses the interval ({names}), the per-example gain {how}: ‖δʲ‖ is the norm "
            "of the mean over images, and the examples' errors need not point the same way in every layer.")


def simple_sentence(row, close):
    """Whether the simple estimate √(n · mean w²) · rms f′ is within ``close`` of the measured gain."""
    off = row["simple_gain"] / row["measured_gain"] - 1.0
    if abs(off) <= close:
        return (f"The simple estimate is within {100 * close:.0f} % of the measured gain: the decay is the weights' "
                "stretch times the rms of f′, once per layer.")
    return (f"The simple estimate is off by {100 * abs(off):.0f} % (more than {100 * close:.0f} %): the "
            "weights' stretch and the rms of f′ do not account for the whole decay.")


def trend(row):
    """Whether the gradient shrinks, grows or stays level towards the input (95 % interval vs 1)."""
    if row["measured_high"] < 1:
        return "still vanishes"
    if row["measured_low"] > 1:
        return "explodes"
    return "neither vanishes nor explodes (the interval contains 1)"


def larger_derivative_trend(tanh, relu):
    """'with tanh and with ReLU the gradient still vanishes' (one clause when both trend alike) from
    the two activations' ``factor_variables`` with the book's initialization; '' without them."""
    if tanh is None or relu is None:
        return ""
    if tanh["trend"] == relu["trend"]:
        return f"with tanh and with ReLU the gradient {tanh['trend']}"
    return f"with tanh the gradient {tanh['trend']}, with ReLU it {relu['trend']}"


def factor_variables(row, close):
    return {"trend": trend(row), "k": str(row["hidden_layers"]), "seeds": str(row["seeds"]),
            "measured": fixed3(row["measured_gain"]), "drop": ratio(1 / row["measured_gain"]),
            "interval": _interval(row["measured_low"], row["measured_high"]),
            "predicted": fixed3(row["predicted_gain"]),
            "predicted_interval": _interval(row["predicted_low"], row["predicted_high"]),
            "simple": fixed3(row["simple_gain"]), "r2": fixed3(row["r2"]),
            "verdict": VERDICTS[row["verdict"]].format(close=f"{100 * close:.0f} %"),
            "exponential": "exponential" if row["exponential"] else "not a clean exponential",
            "exponential_sentence": ("the decay is exponential in the number of layers, as eq. (124) says"
                                     if row["exponential"] else
                                     "the decay is not a clean exponential in the number of layers"),
            "simple_sentence": simple_sentence(row, close),
            "gain_min": fixed3(row["gain_min_over_depths"]), "gain_max": fixed3(row["gain_max_over_depths"]),
            "r2_depths": fixed3(row["r2_mean_over_depths"])}


def report_variables(s):
    """The ``causes`` namespace of the report's variables."""
    close = s["thresholds"]["close"]
    out = {f"{r['activation']}_{r['init']}": factor_variables(r, close) for r in s["factors"]}
    verdicts = {r["verdict"] for r in s["factors"]}
    out["holds_everywhere"] = ("holds inside the interval in every case" if verdicts == {"holds"} else
                               "does not hold inside the interval in every case")
    out["failing_sentence"] = failing_sentence(s["factors"])
    out["larger_derivative_trend"] = larger_derivative_trend(out.get("tanh_scaled"), out.get("relu_scaled"))
    sweep = s["sweep"]
    if "sigmoid_scaled" in sweep:
        sigmoid = sweep["sigmoid_scaled"]
        out["sigmoid_fprime_rms"] = fixed3(sigmoid["fprime_rms"])
        out["sigmoid_k"] = str(sigmoid["hidden_layers"])
        out["sigmoid_first"] = sig(sigmoid["speed"][0])
        out["sigmoid_last"] = sig(sigmoid["speed"][-1])
    for r in s["jacobian"]:
        out[f"jac_{r['activation']}_{r['init']}"] = {
            "mean": pct(r["mean_singular_value"]["mean"]),
            "interval": _interval(r["mean_singular_value"]["low"], r["mean_singular_value"]["high"], pct),
            "published": pct(r["published"]) if r["published"] is not None else "n/a",
            "agrees": {True: "agrees with", False: "differs from",
                       None: "has no" if r["published"] is None else "is not compared with"}[r["agrees"]],
            "comparison": ("" if r["published"] is None else
                           f", not compared with the published {pct(r['published'])} (not tested: "
                           f"{'; '.join(c['name'] for c in r.get('preconditions', []) if not c['met'])})"
                           if r["agrees"] is None else
                           f", which {'agrees with' if r['agrees'] else 'differs from'} the published {pct(r['published'])}")}
    out["jac_tolerance"] = pct(s["thresholds"]["published_tolerance"])
    sw, jc = s["config"]["depth_sweep"], s["config"]["jacobian"]
    out["sweep"] = {"depths": f"{min(sw['hidden_layers'])} to {max(sw['hidden_layers'])}", "width": str(sw["width"]),
                    "seeds": plural(len(sw["seeds"]), "seed", words=False), "probe_size": f"{sw['probe_size']:,}"}
    out["jac_setup"] = (f"{jc['hidden_layers']} hidden layers of {jc['width']}, the first {jc['images']:,} training "
                        f"images, {len(jc['seeds'])} seeds")
    for r in s["depth_speed"][-1:]:  # the deepest net of E1
        out["e1_deep"] = {"k": str(r["hidden_layers"]), "init": ratio(r["at_init"]), "epoch1": ratio(r["epoch1"]),
                          "median": ratio(r["median"]), "min": ratio(r["min"]), "max": ratio(r["max"]),
                          "epochs": str(r["epochs"])}
    out["regime"] = regime_variables(s["regime"], s["config"]["regime"], s["thresholds"]["closed_gap"])
    out["layerwise"] = {r["trained"]: {"drop": fixed3(r["cost_drop"]), "final": fixed3(r["cost_final"]),
                                       "start": fixed3(r["cost_start"]), "accuracy": pct(r["accuracy_final"])}
                        for r in s["layerwise"]["runs"]}
    out["layerwise_epochs"] = plural(s["layerwise"]["epochs"], "epoch", words=False)
    out["layerwise_verdict"] = layerwise_verdict(s["layerwise"], s["thresholds"]["frozen_margin"])
    lw = s["config"]["layerwise"]
    out["layerwise_setup"] = (f"{lw['hidden_layers']} hidden layers of {lw['width']}, the book's initialization, the "
                              f"first {lw['train_size']:,} training images, mini-batches of {lw['mini_batch_size']}, "
                              f"η = {lw['eta']}, λ = {lw['lmbda']}, {plural(len(lw['seeds']), 'seed', words=False)}")
    return out


def layerwise_verdict(lw, margin):
    """The answer to the book's question from the runs 'all' and 'all_but_first': the claim's
    verdict in words, with its interval, or why it is not tested."""
    claim = lw.get("claim")
    if claim is None:
        return "These runs cannot tell: they need both 'all' and 'all_but_first'."
    i = claim["interval"]
    gap = (f"{i['estimate']:.1f} points (95 % interval {i['lo']:.1f} to {i['hi']:.1f}, Welch)" if i and i["bounded"]
           else f"{i['estimate']:.1f} points (too few seeds for an interval)" if i else "not measured")
    if claim["verdict"] == "not tested":
        return (f"Freezing the first layer changes the final accuracy by {gap}, but this comparison is not tested: "
                f"{claim['not_tested_because']}. Until both nets have left the initial plateau, the gap measures "
                "how long a net sits there, not whether the first layer's learning is needed.")
    reading = {"supports": f"more than {margin:g} points, so the first layer was not near an optimum, and its "
                           "small updates are what the net needed",
               "smaller than claimed": f"less than {margin:g} points, by the interval: in this run its learning "
                                       "matters little",
               "contradicts": "freezing it does no harm",
               "cannot tell": f"the interval contains {margin:g} points: this run cannot tell"}[claim["verdict"]]
    left = claim.get("epoch_left_plateau")
    after = f" The all-layers net left the plateau at epoch {left}." if left is not None else ""
    return f"Freezing the slow first layer costs {gap}: {reading} (verdict *{claim['verdict']}*).{after}"


def settings_text(settings):
    weights = {"scaled": "N(0, 1/n~in~) weights", "glorot": "normalized weights"}[settings["weights"]]
    biases = {"normal": "N(0, 1) biases", "zero": "zero biases"}[settings["biases"]]
    return (f"{weights}, {biases}, mini-batches of {settings['mini_batch_size']}, λ = {settings['lmbda']:g}, "
            f"η = {settings['eta']:g}")


def regime_reading(v, e3_updates, closed_gap):
    """What the regime runs say about E3: the baseline's gap after E3's number of updates and
    whether (and when) it closes later."""
    base = v.get("baseline")
    if base is None or base["updates_to_close"] is None:
        return ("These runs are too short for the gap to close even with the book's mini-batch settings, so they "
                "cannot say what closes it.")
    if base["gap_at_e3_updates"] >= closed_gap:
        return (f"So the book's own mini-batch settings close the gap too, after {base['updates_to_close']:,} "
                f"updates, but not within E3's {e3_updates:,}: the gap closes as training moves the net away from "
                "its initial state, at a pace set by the number and the size of the steps, and E3's run is too "
                "short for that.")
    return (f"The book's mini-batch settings close the gap within E3's {e3_updates:,} updates already, so the "
            "number of updates does not explain why E3's gap persists.")


def regime_variables(r, section, closed_gap):
    v = {row["variant"]: row for row in r["variants"]}
    out = {name: {"init": ratio(row["gap_init"]), "final": ratio(row["gap_final"]),
                  "at_e3": ratio(row["gap_at_e3_updates"]),
                  "to_close": f"{row['updates_to_close']:,}" if row["updates_to_close"] is not None else
                  f"more than {row['updates_final']:,}",
                  "updates_final": f"{row['updates_final']:,}",
                  "fprime_first": fixed3(row["fprime_rms_first_final"])} for name, row in v.items()}
    closed = [VARIANT_NAMES[n] for n, row in v.items() if row["closed"]]
    fastest = min((row for row in r["variants"] if row["updates_to_close"] is not None),
                  key=lambda row: row["updates_to_close"], default=None)
    out.update({"epochs": str(r["epochs"]), "closed_gap": ratio(closed_gap), "e3_updates": f"{r['e3_updates']:,}",
                "closed_list": ", ".join(closed) if closed else "none",
                "n_closed": str(len(closed)), "n_variants": str(len(v)),
                "fastest_sentence": (f"The gap closes fastest with {VARIANT_NAMES.get(fastest['variant'], fastest['variant'])}."
                                     if fastest else "In none of these runs does the gap close."),
                "reading": regime_reading(v, r["e3_updates"], closed_gap),
                "target": settings_text(section["target"]), "baseline_settings": settings_text(section["baseline"]),
                "net": f"{section['hidden_layers']} × {section['width']} {section['activation']}",
                "train_size": f"{section['train_size']:,}", "seeds": plural(len(section["seeds"]), "seed", words=False)})
    return out


def factors_table(s):
    close = s["thresholds"]["close"]
    depths = sorted({r["hidden_layers"] for r in s["factors"]})
    rows = [(NAMES[r["activation"]], INIT_NAMES[r["init"]],
             f"{fixed3(r['measured_gain'])} {_interval(r['measured_low'], r['measured_high'])}",
             f"{fixed3(r['predicted_gain'])} {_interval(r['predicted_low'], r['predicted_high'])}",
             fixed3(r["simple_gain"]), f"{r['simple_off']:+.0%}".replace("-", "−"), r["simple_verdict"],
             fixed3(r["r2"]), r["verdict"]) for r in s["factors"]]
    return table(["activation", "init", "measured gain [95 %]", "eq. (124) per example [95 %]",
                  "simple estimate", "simple − measured", "simple estimate's verdict", "R²", "per-example check"], rows,
                 "Per-layer gain of the speed of learning at initialization (‖δʲ‖/‖δʲ⁺¹‖, the slope of "
                 f"ln ‖δʲ‖ against j) in the deepest net ({' and '.join(map(str, depths))} hidden layers), mean "
                 "over seeds with its 95 % interval, against the "
                 "mean per-example gain of eq. (124)'s factor (wˡ⁺¹)ᵀΣ′(zˡ⁺¹) on the same nets and images (the "
                 "chain rule the measurement is made of: a check of the code, not a finding) and the simple "
                 "estimate √(n · mean w²) · rms f′(z), n the layer's units (the independent prediction: holds "
                 f"within {100 * close:.0f} % of the measured gain, else fails). R²: the straight-line fit of "
                 f"ln ‖δʲ‖. Per-example check: holds inside the interval, close within {100 * close:.0f} %, else "
                 "fails; not tested with too few seeds.",
                 "tbl-causes-factors")


def jacobian_table(s):
    rows = [(NAMES[r["activation"]], INIT_NAMES[r["init"]],
             f"{pct(r['mean_singular_value']['mean'])} "
             f"{_interval(r['mean_singular_value']['low'], r['mean_singular_value']['high'], pct)}",
             pct(r["top_singular_value"]), pct(r["published"]) if r["published"] is not None else "")
            for r in s["jacobian"]]
    return table(["activation", "init", "mean singular value [95 %]", "largest (mean)",
                  "Glorot & Bengio (published)"], rows,
                 "Singular values of the Jacobians ∂aʲ⁺¹/∂aʲ between hidden layers at initialization, mean "
                 "over layers, images and singular values, 95 % interval over seeds; the published values are "
                 "Glorot & Bengio's [-@glorot2010] for their 1000-unit nets.", "tbl-causes-jacobian")


def depth_speed_table(s):
    rows = [(r["hidden_layers"], ratio(r["at_init"]), ratio(r["epoch1"]), ratio(r["median"]),
             f"{ratio(r['min'])}–{ratio(r['max'])}") for r in s["depth_speed"]]
    epochs = s["depth_speed"][0]["epochs"] if s["depth_speed"] else 0
    return table(["hidden layers", "at initialization", "after epoch 1", f"median, epochs 1–{epochs}",
                  f"range, epochs 1–{epochs}"], rows,
                 "E1 (mini-batch SGD, the book's protocol): how many times faster the last hidden layer learns "
                 "than the first; at initialization and after epoch 1 the mean over seeds (as in @tbl-e3), over "
                 "the later epochs the median and the range pooled over epochs and seeds.", "tbl-causes-e1-speed")


def regime_table(s):
    r = s["regime"]
    rows = [(VARIANT_NAMES.get(v["variant"], v["variant"]), ratio(v["gap_init"]), ratio(v["gap_at_e3_updates"]),
             f"{v['updates_to_close']:,}" if v["updates_to_close"] is not None else f"> {v['updates_final']:,}",
             ratio(v["gap_final"]), f"{v['updates_final']:,}", fixed3(v["fprime_rms_init"]), fixed3(v["fprime_rms_first_final"]))
            for v in r["variants"]]
    closed = ratio(s["thresholds"]["closed_gap"])
    return table(["setting switched", "gap at init.", f"gap after {r['e3_updates']:,} updates",
                  f"updates until gap < {closed}", "gap at the end", "updates in all",
                  "rms σ′ at init., all hidden layers", "rms σ′ at the end, layer 1"], rows,
                 "Why the gap closes: the ratio of the last to the first hidden layer's speed (median over seeds) "
                 "when one setting at a time is switched from the book's mini-batch protocol to R3's value, "
                 f"read after as many updates as E3 makes in all ({r['e3_updates']:,}, one per epoch), and the "
                 "number of updates until it first falls below " + closed + ".", "tbl-causes-regime")


def layerwise_table(s):
    r = s["layerwise"]
    rows = [(v["trained"].replace("_", " "), fixed3(v["cost_start"]), fixed3(v["cost_final"]), fixed3(v["cost_drop"]),
             pct(v["accuracy_final"])) for v in r["runs"]]
    return table(["layers trained", "cost at the start", f"cost after epoch {r['epochs']}", "drop",
                  "validation accuracy (%)"], rows,
                 "Training only some layers of a fresh net (training cost: cross-entropy without the L2 term; "
                 "mean over seeds).", "tbl-causes-layerwise")


def report_tables(s):
    return {"_generated/causes_factors.md": factors_table(s), "_generated/causes_jacobian.md": jacobian_table(s),
            "_generated/causes_depth_speed.md": depth_speed_table(s), "_generated/causes_regime.md": regime_table(s),
            "_generated/causes_layerwise.md": layerwise_table(s)}
