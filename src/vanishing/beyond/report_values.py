"""What the report's "Beyond the chapter" quotes: the variables behind ``{{< var beyond.... >}}``
(already formatted strings) and the generated markdown tables, from beyond_summary.json only."""

from __future__ import annotations

import math
import re

from vanishing.chapter import book
from vanishing.publication.formats import DASH, mean_pm_std, pct_or_dash, short
from .r1_init import PAPER_ACTIVATION
from .r3_optimizers import MU_HIGH, MU_LOW, optimizer_label, parse_optimizer, selection_costs
from .training import CHANCE_ACCURACY, TRAINED_ACCURACY, stats
from .verdicts import POWER, interval_from_json

ACTIVATION_ORDER = ["sigmoid", "tanh", "relu"]
INIT_ORDER = ["large", "scaled", "standard", "glorot"]
CITATION = {book.GLOROT_BENGIO: "@glorot2010", book.SUTSKEVER: "@sutskever2013"}


def _key(x):
    """A shortcode-safe key part: 0.99 -> '099', 'nesterov-0.99' -> 'nesterov_099'."""
    return re.sub(r"[^0-9a-zA-Z_]", "", str(x).replace("-", "_"))


def effect_text(claim):
    """'estimate [lo, hi]' of a claim's interval ('–' if it has none)."""
    return _interval_cell(claim["interval"])


def minimal_text(claim):
    m = claim["minimal"]
    if claim["side"] == "inside":
        return f"inside {short(m[0])}–{short(m[1])}"
    return f"{'>' if claim['side'] == 'above' else '<'} {short(m)}"


def detectable_text(claim):
    """The effect this run would detect with 80 % power (its seed spread taken as the true one)."""
    d, i = claim["detectable"], interval_from_json(claim["interval"])
    if d is None or i is None or not math.isfinite(i["half_width"]):
        return "– (too few seeds)"
    if claim["side"] == "inside":
        return "none (interval wider than the band)" if d[0] > d[1] else f"inside {short(d[0])}–{short(d[1])}"
    return f"{'>' if claim['side'] == 'above' else '<'} {short(d)}"


OUTPUT_TEXT = {"log_likelihood": "a softmax output layer with the log-likelihood cost",
               "cross_entropy": "a sigmoid output layer with the cross-entropy cost"}


def verdict_text(claim):
    """The verdict in words: a claim not tested names its failed preconditions; one undecided by
    the family-wise correction says so."""
    if claim.get("not_tested_because"):
        return f"{claim['verdict']}: {claim['not_tested_because']}"
    if claim.get("family_note"):
        return f"{claim['verdict']} ({claim['family_note']})"
    return claim["verdict"]


def preconditions_text(claim):
    """The claim's preconditions, each with its value and whether it was met."""
    sign = {">=": "≥", "<=": "≤", "==": "="}

    def num(x):
        return "none" if x is None else ("yes" if x else "no") if isinstance(x, bool) else short(x)

    return "; ".join(f"{c['name']} {num(c['value'])} ({sign[c['comparison']]} {num(c['threshold'])}: "
                     f"{'met' if c['met'] else 'FAILED'})" for c in claim.get("preconditions", [])) or "none"


def claim_variables(claim):
    seeds = (claim["interval"] or {}).get("n", [])
    return {"verdict": claim["verdict"], "verdict_text": verdict_text(claim), "preconditions": preconditions_text(claim), "effect": effect_text(claim), "minimal": minimal_text(claim),
            "detectable": detectable_text(claim), "seeds": "+".join(str(n) for n in seeds) or "0"}


def _claims(r):
    return {name: claim_variables(c) for name, c in r["claims"].items()}


def r1_variables(s):
    r1, cfg = s["r1"], s["config"]["init"]
    v = {"claims": _claims(r1), "hidden_layers": str(cfg["hidden_layers"]),
         "widths": " and ".join(str(w) for w in cfg["widths"]), "width": str(r1["paper_case"]["width"]),
         "probe_size": f"{cfg['probe_size']:,}", "seeds": str(len(cfg["seeds"])), "activation": PAPER_ACTIVATION,
         "band_lo": short(r1["flat_band"][0]), "band_hi": short(r1["flat_band"][1]), "shrink": short(r1["shrink_minimal"])}
    for c in r1["combinations"]:
        # Every width as <act>_<init>_w<width>_*, and the judged width also without the suffix.
        for base in [f"{c['activation']}_{c['init']}_w{c['width']}"] + (
                [f"{c['activation']}_{c['init']}"] if c["width"] == r1["paper_case"]["width"] else []):
            for key, interval in (("delta", c["delta_ratio_interval"]), ("rms", c["delta_rms_ratio_interval"])):
                v[f"{base}_{key}"] = short(interval["estimate"]) if interval else DASH
    return v


def r2_variables(s):
    r2, cfg = s["r2"], s["config"]["saturation"]
    st = r2["sigmoid_top_layer_stats"]
    v = {"claims": _claims(r2), "epochs": str(cfg["epochs"]), "width": str(cfg["width"]),
         "hidden_layers": str(cfg["hidden_layers"]), "mini_batch_size": str(cfg["mini_batch_size"]),
         "eta": short(cfg["eta"]), "lmbda": short(cfg["lmbda"]), "train_size": f"{cfg['train_size']:,}",
         "seeds": str(len(cfg["seeds"])), "inits": " and ".join(cfg["inits"]),
         "output": OUTPUT_TEXT[cfg["cost"]],
         "total_updates": f"{r2['total_updates']:,}", "record_every": str(cfg["record_every"]),
         "record_epochs": str(cfg["record_epochs"]), "images": str(cfg["activation_images"]),
         "level": short(r2["saturation_level"]), "percentile": f"{r2['percentile']:g}th",
         "early_percent": short(100 * s["rules"]["minimal_effects"]["r2"]["early_fraction"]),
         "lower_above_seeds": str(r2["lower_layers_above_top_seeds"]),
         "published_desaturation_epoch": short(r2["published"]["desaturation_epoch"]),
         "tanh_glorot_tau": mean_pm_std(r2["tanh_glorot_tau"]),
         "tanh_top_p98_final": mean_pm_std(stats([e.get("top_p98_final") for e in r2["tanh_order"].values()])),
         "saturated_above": short(r2["saturated_above"]),
         "tanh_top_saturated_initial": mean_pm_std(stats([e.get("top_saturated_initial")
                                                          for e in r2["tanh_order"].values()])),
         "tanh_top_saturated_highest": mean_pm_std(r2["top_saturated_highest"].get("tanh")),
         "sigmoid_top_saturated_highest": mean_pm_std(r2["top_saturated_highest"].get("sigmoid"))}
    for k in ("initial", "early_minimum", "final", "recovery_fraction"):
        v[f"top_{k}"] = mean_pm_std(st.get(k))
    for act in ("sigmoid", "tanh"):
        v[f"{act}_derivative_drop"] = mean_pm_std(r2["derivative_drop"].get(act))
    crossings = [e["crossing_update"] for e in r2["tanh_order"].values()]
    if crossings:
        per_layer = list(zip(*crossings))
        v["tanh_crossings"] = "; ".join(
            f"layer {j + 1}: " + ", ".join("never" if c is None or not math.isfinite(c) else f"{c:,.0f}"
                                           for c in layer)
            for j, layer in enumerate(per_layer))
    else:
        v["tanh_crossings"] = DASH
    return v


def r3_variables(s):
    r3, cfg = s["r3"], s["config"]["optimizers"]
    v = {"claims": _claims(r3), "epochs": str(cfg["epochs"]), "width": str(cfg["width"]), "init": cfg["init"],
         "hidden_layers": str(cfg["hidden_layers"]), "activation": cfg["activation"],
         "mu_max": " and ".join(short(m) for m in cfg["mu_max"]), "mini_batch_size": str(cfg["mini_batch_size"]),
         "train_size": f"{cfg['train_size']:,}", "seeds": str(len(cfg["seeds"])),
         "select_seeds": str(len(cfg["select_seeds"])), "etas": ", ".join(short(e) for e in cfg["etas"]),
         "lmbda": short(cfg["lmbda"]), "updates": f"{r3['updates']:,}", "mu_reached_at": f"{r3['mu_reached_at']:,}",
         "mu_low": short(MU_LOW), "mu_high": short(MU_HIGH), "chance": short(CHANCE_ACCURACY),
         "edges": ", ".join(f"{o} ({r['edge']} end)" for o, r in r3["runs"].items() if r["edge"]) or "none",
         "diverged": str(sum(r["diverged_seeds"] for r in r3["runs"].values())),
         "stuck": str(sum(r["stuck_seeds"] for r in r3["runs"].values())),
         "runs": str(sum(r["seeds"] for r in r3["runs"].values()))}
    fractions, needed = r3.get("fraction_at_mu_max", {}), r3.get("updates_needed", {})
    for name, mu in (("high", MU_HIGH), ("low", MU_LOW)):
        v[f"fraction_mu_{name}"] = short(fractions.get(f"{mu:g}"))
        v[f"updates_needed_{name}"] = f"{needed[f'{mu:g}']:,}" if f"{mu:g}" in needed else "–"
    v["mu_fraction"] = short(r3.get("mu_fraction"))
    high = fractions.get(f"{MU_HIGH:g}")
    v["final_phase_effect"] = (f"in a run this short it begins before μ reaches {short(MU_HIGH)}" if not high else
                               f"μ is at {short(MU_HIGH)} for a fraction {short(high)} of the updates before it")
    for opt, mu in r3["mu_at_last_update"].items():
        v[f"{_key(opt)}_mu_final"] = short(mu)
    v["mu_final"] = short(max(r3["mu_at_last_update"].values())) if r3["mu_at_last_update"] else DASH
    # four digits: the schedule just below its cap (0.98958) must not read as the cap (0.99)
    v["mu_highest"] = short(max(r3["mu_highest"].values()), 4) if r3["mu_highest"] else DASH
    v["final_updates"], v["final_mu"] = f"{r3['final_updates']:,}", short(r3["final_mu"])
    for k, val in book.SUTSKEVER_MNIST_AUTOENCODER.items():  # as printed in the paper
        v[f"published_{_key(k)}"] = f"{val:.2f}" if val < 1 else f"{val:.1f}"
    return v


def r4_variables(s):
    r4, cfg = s["r4"], s["config"]["table1"]
    v = {"claims": _claims(r4), "epochs": str(cfg["epochs"]), "width": str(cfg["width"]), "eta": short(cfg["eta"]),
         "mini_batch_size": str(cfg["mini_batch_size"]), "lmbda": short(cfg["lmbda"]),
         "train_size": f"{cfg['train_size']:,}", "seeds": str(len(cfg["seeds"])),
         "hidden_layers": str(cfg["hidden_layers"]), "output": OUTPUT_TEXT[cfg["cost"]],
         "published_layers": str(book.GLOROT_TABLE1_ARCH["hidden_layers"]),
         "published_width": str(book.GLOROT_TABLE1_ARCH["width"]),
         "diverged": str(sum(c["diverged_seeds"] for c in r4["cells"])),
         "stuck": str(sum(c["stuck_seeds"] for c in r4["cells"])), "chance": short(CHANCE_ACCURACY),
         "trained_accuracy": short(TRAINED_ACCURACY),
         "stuck_findings": _sentence("; ".join(r4.get("stuck_findings", [])) or "no net was stuck at chance")}
    for c in r4["cells"]:
        v[f"{c['activation']}_{c['init']}_error"] = mean_pm_std(c["test_error"], pct_or_dash)
    for k, val in book.GLOROT_TABLE1_MNIST.items():
        v[f"published_{k}"] = pct_or_dash(val)
    return v


def report_variables(beyond_summary: dict) -> dict:
    """Nested dict of already-formatted strings for ``{{< var beyond.<r>.<key> >}}``."""
    s = beyond_summary
    fam = s.get("family", {})
    family = {k: str(fam.get(k, "–")) for k in ("claims", "tested", "not_tested", "decided_per_claim",
                                                 "decided_after_correction")}
    family["alpha_percent"] = short(100 * fam["alpha"]) if fam else "–"
    return {"level_percent": short(100 * s["rules"]["level"]), "power_percent": short(100 * POWER), "family": family,
            "r1": r1_variables(s), "r2": r2_variables(s), "r3": r3_variables(s), "r4": r4_variables(s)}


def _sentence(text):
    return text[:1].upper() + text[1:]


def _order(value, order):
    return order.index(value) if value in order else len(order)


_SUBSCRIPT = re.compile(r"(?<=[μησ])_(max|min|in|out)\b")


def _cell(value):
    """A pipe-table cell: a bar in the text (|a|) would end the cell, so it is escaped; a symbol's
    subscript written with an underscore (μ_max) is set as a subscript (μ~max~)."""
    return _SUBSCRIPT.sub(r"~\1~", str(value)).replace("|", "\\|")


def _md_table(header, rows, caption, label, left=1, widths=None):
    """A pipe table (the first ``left`` columns left-aligned, the others right) with its caption;
    ``widths``: relative column widths (Quarto's ``tbl-colwidths``), so prose columns get room."""
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join(":---" if i < left else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    attrs = f"#{label}" + (f' tbl-colwidths="[{", ".join(map(str, widths))}]"' if widths else "")
    return "\n".join(lines) + f"\n\n: {caption} {{{attrs}}}\n"


def _interval_cell(i):
    """'estimate [lo, hi]' of an interval as the summary holds it (an unbounded one: [−∞, ∞])."""
    i = interval_from_json(i)
    return DASH if i is None else f"{short(i['estimate'])} [{short(i['lo'])}, {short(i['hi'])}]"


def _left_out(counts, k):
    """' (2 div., 1 stuck)' for the selection cell of η = k: the runs that counted as +inf."""
    parts = [f"{counts[name][k]} {label}" for name, label in (("diverged_by_eta", "div."), ("stuck_by_eta", "stuck"))
             if counts[name].get(k)]
    return f" ({', '.join(parts)})" if parts else ""


def report_tables(beyond_summary: dict) -> dict:
    """Markdown pipe tables with their caption lines, by path relative to report/."""
    s = beyond_summary
    level = short(100 * s["rules"]["level"])
    out = {}
    rows = [[c["activation"], c["init"], c["width"], _interval_cell(c["delta_ratio_interval"]),
             _interval_cell(c["delta_rms_ratio_interval"]), _interval_cell(c["grad_w_entry_ratio_interval"])]
            for c in sorted(s["r1"]["combinations"], key=lambda c: (_order(c["activation"], ACTIVATION_ORDER),
                                                                    _order(c["init"], INIT_ORDER), c["width"]))]
    out["_generated/beyond_r1.md"] = _md_table(
        ["activation", "init", "width", "‖δ‖ last/first", "per-example ‖δ‖ last/first",
         "weight gradient last/first"], rows, f"R1: last over first hidden layer at initialization, geometric mean over "
              f"{len(s['config']['init']['seeds'])} seeds with its {level} % interval "
              f"({s['config']['init']['hidden_layers']} hidden layers).", "tbl-beyond-r1", left=2)
    sel = s["r3"]["selection"]
    rows = []
    for opt in sorted(sel, key=lambda o: (o != "sgd", o)):
        e = sel[opt]
        cells = []
        for k, c in selection_costs(e).items():
            bold = "**" if float(k) == e["eta"] else ""
            cells.append(bold + short(c) + bold + _left_out(e, k))
        rows.append([optimizer_label(opt)] + cells + [f"at the {e['edge']} edge" if e["edge"] else "inside"])
    grid = next(iter(sel.values()))["selection_cost_by_eta"].keys() if sel else []
    out["_generated/beyond_r3_select.md"] = _md_table(
        ["optimizer"] + [f"η = {k}" for k in grid] + ["chosen η lies"], rows,
        "R3, selection stage: final training cost (the paper's measure) at every learning rate (mean over the "
        f"{len(s['config']['optimizers']['select_seeds'])} selection seeds; "
        "a run that diverged (div.: its cost stopped being finite) or is stuck at chance (finite cost, validation "
        f"accuracy at most {short(CHANCE_ACCURACY)} %) counts as infinite). Bold: the chosen η; the last column says "
        "whether it lies at the edge of the grid.", "tbl-beyond-r3-select")
    rows = []
    for opt in sorted(s["r3"]["runs"], key=lambda o: (o != "sgd", o)):
        r = s["r3"]["runs"][opt]
        mu = parse_optimizer(opt)[1]
        rows.append([optimizer_label(opt), short(r["eta"]) + (f" ({r['edge']} edge)" if r["edge"] else ""),
                     short(r["eta"] / (1 - mu)),
                     mean_pm_std(r["final_training_cost"]),
                     mean_pm_std(r["final_validation_accuracy"], pct_or_dash), mean_pm_std(r["test_error"], pct_or_dash),
                     f"{r['diverged_seeds']} of {r['seeds']}", f"{r['stuck_seeds']} of {r['seeds']}"])
    out["_generated/beyond_r3.md"] = _md_table(
        ["optimizer", "η", "η/(1−μ_max)", "final training cost", "validation accuracy (%)", "test error (%)",
         "diverged", "stuck at chance"], rows,
        f"R3, comparison stage: each optimizer at its chosen η after {s['r3']['updates']:,} updates, mean ± std "
        f"over the seeds that did not diverge (weights or cost not finite); seeds stuck at chance (finite "
        f"numbers, validation accuracy at most {short(CHANCE_ACCURACY)} %) are counted and kept in the means.",
        "tbl-beyond-r3")
    pub = book.GLOROT_TABLE1_MNIST
    paper = {("sigmoid", "standard"): pub["sigmoid"], ("tanh", "standard"): pub["tanh"],
             ("tanh", "glorot"): pub["tanh_normalized"]}
    rows = [[c["activation"], c["init"], mean_pm_std(c["test_error"], pct_or_dash), f"{c['diverged_seeds']} of {c['seeds']}",
             f"{c['stuck_seeds']} of {c['seeds']}", pct_or_dash(paper.get((c["activation"], c["init"])))]
            for c in sorted(s["r4"]["cells"], key=lambda c: (_order(c["activation"], ACTIVATION_ORDER),
                                                             _order(c["init"], INIT_ORDER)))]
    cfg4 = s["config"]["table1"]
    out["_generated/beyond_r4.md"] = _md_table(
        ["activation", "init", "test error (%)", "diverged", "stuck at chance", "Glorot & Bengio (%)"], rows,
        f"R4: test error on the 10,000 MNIST test images, {cfg4['hidden_layers']} hidden layers of "
        f"{cfg4['width']} units, {cfg4['epochs']} epochs, mean ± std over the seeds (of {len(cfg4['seeds'])}) that "
        "did not diverge (weights or cost not finite); seeds stuck at chance (finite numbers, test accuracy at "
        f"most {short(CHANCE_ACCURACY)} %) are counted and kept in the means; the "
        f"paper's published values ({book.GLOROT_TABLE1_ARCH['hidden_layers']} layers of "
        f"{book.GLOROT_TABLE1_ARCH['width']} units).", "tbl-beyond-r4", left=2)
    out.update(verdict_tables(s))
    return out


EXPERIMENTS = {"r1": "the gradient at initialization", "r2": "saturation during training", "r3": "momentum",
               "r4": "a small Table 1"}


def _claim_rows(s):
    """``(experiment, claim)`` for every claim of the summary, R1 to R4 in order."""
    return [(r, c) for r in EXPERIMENTS for c in (s.get(r) or {}).get("claims", {}).values()]


def _first_reason(claim):
    """': <the first failed precondition> and N more' for a claim not tested (every one is in the
    appendix's table), the family-wise note for one undecided by it, else ''."""
    because = claim.get("not_tested_because")
    if because:
        reasons = because.split("; ")
        return f": {reasons[0]}" + (f" and {len(reasons) - 1} more" if len(reasons) > 1 else "")
    return f" ({claim['family_note']})" if claim.get("family_note") else ""


def deviations(claims) -> list[str]:
    """The deviations of an experiment's claims from the paper, each once, in order of appearance."""
    seen = []
    for c in claims:
        seen += [d for d in c.get("deviations") or [] if d not in seen]
    return seen


def verdict_tables(s: dict) -> dict:
    """The compact verdict table of the main text (claim, effect with its interval and the minimal
    effect, verdict with the failed precondition), the appendix's table of how each claim was
    measured, and each experiment's deviations from the paper, said once. Fields are read by name
    and a missing one prints as a dash."""
    level = short(100 * s["rules"]["level"])
    rows, detail = [], []
    for r, c in _claim_rows(s):
        verdict = c.get("verdict", DASH)
        effect = effect_text(c) if "interval" in c else DASH
        needs = f"; needs {minimal_text(c)}" if "minimal" in c and "side" in c else ""
        rows.append([f"**{r.upper()}** {c.get('claim', DASH)}", effect + needs, f"**{verdict}**" + _first_reason(c)])
        where = f"[{CITATION[c['source']]}], {c.get('where', DASH)}" if c.get("source") in CITATION else c.get("where", DASH)
        detail.append([r.upper(), c.get("claim", DASH), where, c.get("measure", DASH),
                       minimal_text(c) if "minimal" in c and "side" in c else DASH,
                       detectable_text(c) if "detectable" in c and "interval" in c else DASH,
                       c.get("tested_as_stated", DASH), c.get("not_tested_because") or "none"])
    fam = s.get("family") or {}
    family = (f" Of the {fam['claims']} claims, {fam['tested']} were tested and {fam['not_tested']} not; over the "
              f"tested ones Holm's correction keeps the chance that any decided verdict is wrong by chance at most "
              f"{short(100 * fam['alpha'])} % ({fam['decided_per_claim']} decided at the per-claim level, "
              f"{fam['decided_after_correction']} after the correction)."
              if {"claims", "tested", "not_tested", "alpha", "decided_per_claim", "decided_after_correction"} <= set(fam)
              else "")
    out = {"_generated/beyond_verdicts.md": _md_table(
        ["claim", f"effect [{level} % interval]", "verdict"], rows,
        f"The papers' claims (R1 to R4): the effect with its {level} % interval over seeds, the minimal effect "
        "declared before the run, and the verdict; a claim not tested names the first precondition that failed. "
        "Every failed precondition, where each claim is made and how it is measured: @sec-appendix-claims." + family,
        "tbl-beyond-verdicts", left=3, widths=[42, 22, 36])}
    out["_generated/beyond_claims.md"] = _md_table(
        ["", "claim", "where in the paper", "effect measured", "minimal effect", "detectable (80 % power)",
         "tested as stated", "preconditions that failed"], detail,
        "How each claim of @tbl-beyond-verdicts is measured: where the paper makes it, the effect, the minimal "
        "effect declared before the run, the effect this run would detect with 80 % power at its number of seeds "
        "and seed spread, and whether our test is the paper's own (partly: see the deviations below).",
        "tbl-beyond-claims", left=4, widths=[4, 20, 13, 20, 8, 10, 7, 18])
    groups = {}
    for r, c in _claim_rows(s):
        groups.setdefault(r, []).append(c)
    out["_generated/beyond_deviations.md"] = "".join(
        f"- **{r.upper()}, {EXPERIMENTS[r]}**: " + ("; ".join(deviations(claims)) or "none") + ".\n"
        for r, claims in groups.items())
    return out
