"""What the report's section "Why deeper is no better here, and what makes depth help" quotes from
``results/why_deeper_summary.json``: the variables behind ``{{< var why_deeper.… >}}``, the
generated tables, and the answer sentence for the Key findings (``answer``). Numbers are
formatted here once."""

from __future__ import annotations

from vanishing.beyond import verdicts as v
from vanishing.chapter import book
from vanishing.publication.formats import DASH, pct, ratio, sig, signed_points
from vanishing.publication.wording import plural, table, word

DEFICIT = {"training": "so the deficit lies in fitting the training set",
           "generalization": "so the deficit lies in generalizing from it",
           "no deficit": "so there is no deficit: its validation accuracy is not surely lower",
           "cannot tell": "so this run cannot say whether the deficit lies in fitting the training set or in "
                          "generalizing from it"}
# a claim's own verdict, in words, where Holm's correction over its family leaves it undecided
ALONE = {"supports": "better by more than the minimal effect", "smaller than claimed": "not better by the minimal effect",
         "contradicts": "worse"}


def points(interval):
    """'−0.31 points (95 % interval −0.52 to −0.10)', or the estimate alone when too few seeds."""
    if interval is None:
        return DASH
    text = f"{signed_points(interval['estimate'])} points"
    if not interval["bounded"]:
        return text + " (too few seeds for an interval)"
    return text + f" (95 % interval {signed_points(interval['lo'])} to {signed_points(interval['hi'])})"


def seeds_text(claim):
    """How many seeds per depth would decide an undecided claim at this seed spread (80 % power;
    ``verdicts.seeds_to_decide``), or '' when its interval is unbounded."""
    interval = claim.get("interval")
    if interval is None or not interval["bounded"]:
        return ""
    n = claim.get("seeds_to_decide")
    if n is None:
        return (f"more than {v.MAX_SEEDS_TO_DECIDE} seeds per depth would be needed to decide it with 80 % power at "
                "this seed spread")
    return f"about {n} seeds per depth would decide it with 80 % power at this seed spread"


def images_text(n):
    return "all 50,000 training images" if n == 50000 else f"the first {n:,} training images"


def fit_reading(claim, minimal):
    """One pair's answer in words: how the deeper net fits the training set, and where its
    validation deficit lies."""
    deep, shallow = plural(claim["deeper"], "hidden layer"), word(claim["shallower"])
    fits = {"the same": f"fit the training set as well as {shallow}, within ±{minimal:g} points",
            "better": f"fit the training set better than {shallow}, by more than {minimal:g} points",
            "worse": f"fit the training set worse than {shallow}, by more than {minimal:g} points",
            "cannot tell": f"fit the training set differently from {shallow} by an amount this run cannot tell "
                           f"from ±{minimal:g} points",
            }.get(claim["reading"])
    train = points(claim["interval"])
    if fits is None:  # not tested
        return (f"With {deep} against {shallow} the training accuracy differs by {train}; not tested: "
                f"{claim['not_tested_because']}.")
    text = f"{deep[0].upper()}{deep[1:]} {fits}: {train}"
    if claim["reading"] == "cannot tell" and seeds_text(claim):
        text += f" ({seeds_text(claim)})"
    text += f"; their validation accuracy differs by {points(claim['validation_difference'])}"
    if claim["validation_direction"] == "lower":
        text += f", {DEFICIT[claim['deficit']]}"
    return text + "."


def fit_variables(q):
    claims = q["claims"]
    out = {name: {"reading": c["reading"], "verdict": c["verdict"], "training": points(c["interval"]),
                  "validation": points(c["validation_difference"]), "gap": points(c["gap_difference"]),
                  "sentence": fit_reading(c, q["minimal"]), "deficit": c["deficit"]}
           for name, c in claims.items()}
    out.update({"images": images_text(q["cost_images"]), "epochs": plural(q["epochs"], "epoch", words=False),
                "minimal": f"{q['minimal']:g}", "min_seeds": str(q["min_seeds"]),
                "trained": f"{q['trained_accuracy']:g}",
                "readings": " ".join(fit_reading(c, q["minimal"]) for c in claims.values()) or
                            "This run did not train two depths of a declared pair, so Q1 is not decided.",
                "family": family_text(q["family"])})
    return out


def family_text(family):
    if not family["tested"]:
        return "no claim passed its preconditions in this run"
    return (f"Holm's correction runs over the {plural(family['tested'], 'tested claim', words=False)} "
            f"({family['decided_after_correction']} decided after it)")


REMEDY_NAMES = {"book": "the book's sigmoid net", "equalized": "the book's net with its layers' speeds equalized",
                "tanh_normalized": "tanh with the normalized init",
                "relu_he": "ReLU with He's init", "residual": "the book's sigmoid net with residual connections"}


def remedy_reading(remedy, claims):
    """Whether ``remedy`` makes more layers better, from its claims (deeper against two)."""
    mine = [c for c in claims.values() if c["remedy"] == remedy]
    if not mine:
        return f"With {REMEDY_NAMES[remedy]} this run has no declared pair of depths."
    parts = []
    for c in mine:
        verdict = {"supports": "beat", "smaller than claimed": "do not beat by the minimal effect",
                   "contradicts": "are worse than", "cannot tell": "are undecided against"}.get(c["verdict"])
        deep = plural(c["deeper"], "hidden layer")
        if verdict is None:
            parts.append(f"{deep} against {word(c['shallower'])}: not tested ({c['not_tested_because']})")
        else:
            text = f"{deep} {verdict} {word(c['shallower'])}, {points(c['interval'])}"
            alone = ALONE.get(c.get("verdict_per_claim")) if c["verdict"] == "cannot tell" else None
            if alone:
                text += f" (alone: {alone}; undecided after Holm's correction over the family)"
            elif c["verdict"] == "cannot tell" and seeds_text(c):
                text += f" ({seeds_text(c)})"
            parts.append(text)
    return f"With {REMEDY_NAMES[remedy]}: " + "; ".join(parts) + "."


def remedies_variables(q, section):
    remedies = list(dict.fromkeys(r["remedy"] for r in q["per_depth"]))
    helped = sorted({c["remedy"] for c in q["claims"].values() if c["verdict"] == "supports"},
                    key=remedies.index)
    return {"epochs": plural(section["epochs"], "epoch", words=False), "train_size": f"{section['train_size']:,}",
            "probe": f"{book.SPEED_PROBE_IMAGES:,}",
            "lmbda": f"{section['lmbda']:g}", "eta": f"{section['eta']:g}",
            "depths": ", ".join(str(k) for k in section["hidden_layers"]),
            "seeds": plural(len(section["seeds"]), "seed", words=False), "minimal": f"{q['minimal']:g}",
            "readings": " ".join(remedy_reading(r, q["claims"]) for r in remedies if r != "equalized"),
            "equalized": (remedy_reading("equalized", q["claims"]) if "equalized" in remedies else
                          "This run did not train the nets with equalized speeds."),
            "helped": ("no remedy makes more layers surely better" if not helped else
                       "more layers are surely better with " + " and ".join(REMEDY_NAMES[r] for r in helped)),
            "family": family_text(q["family"])}


def against_book_text(rows):
    """The equalized nets against E1's nets of the same depth, in words."""
    if not rows:
        return ""
    parts = [f"{points(r['difference'])} with {plural(r['hidden_layers'], 'hidden layer')}" for r in rows]
    return ("Against E1's own nets of the same depth (no equalizing), read alongside without a claim: "
            + ", ".join(parts) + ".")


def equalized_variables(q, section):
    """Q2 in E1's protocol: the claim's reading, the comparison with E1's nets, the protocol."""
    if q is None:
        text = "This run did not train E1's nets with equalized speeds."
        return {"reading": text, "against_book": "", "regime": "", "text": text, "epochs": "", "train_size": "",
                "depths": "", "seeds": "", "open_gap": ""}
    reading, against = remedy_reading("equalized", q["claims"]), against_book_text(q["against_book"])
    deepest = max((r for r in q["speeds"] if r["remedy"] == "equalized"), key=lambda r: r["hidden_layers"], default=None)
    regime = "" if deepest is None or not deepest["ratio_final"] else (
        f"With {plural(deepest['hidden_layers'], 'hidden layer')} the last over the first hidden layer's speed is "
        f"{ratio(deepest['ratio_init'])} at initialization and {ratio(deepest['ratio_final'])} after the last epoch "
        "(geometric means over seeds).")
    return {"reading": reading, "against_book": against, "regime": regime,
            "text": " ".join(t for t in (regime, reading, against) if t),
            "epochs": plural(section["epochs"], "epoch", words=False), "train_size": f"{section['train_size']:,}",
            "depths": " and ".join(str(k) for k in section["hidden_layers"]),
            "seeds": plural(len(section["seeds"]), "seed", words=False), "open_gap": f"{q['open_gap']:g}"}


def report_variables(s):
    """The ``why_deeper`` namespace of the report's variables."""
    return {"fit": fit_variables(s["fit"]), "remedies": remedies_variables(s["remedies"], s["config"]["remedies"]),
            "equalized": equalized_variables(s.get("equalized"), s["config"].get("equalized")),
            "abstract": (equalized_answer(s["equalized"], "in E1's training") if s.get("equalized") else "")
            or "This run did not decide it.",
            "readings": readings_variables(s), "budget": {"sentence": budget_sentence(s["budget"]),
                                                          "epochs": str(s["budget"]["epochs"])}}


def _accuracy_cell(d):
    a = d["validation_accuracy"]
    cell = DASH if a is None else pct(a["mean"]) + (f" ± {pct(a['std'])}" if a["n"] > 1 else "")
    return cell + (f" ({d['diverged']} diverged)" if d["diverged"] else "")


def remedies_table(q):
    depths = sorted({d["hidden_layers"] for d in q["per_depth"]})
    remedies = list(dict.fromkeys(d["remedy"] for d in q["per_depth"]))
    at = {(d["remedy"], d["hidden_layers"]): d for d in q["per_depth"]}
    speeds = {(r["remedy"], r["hidden_layers"]): r for r in q["speeds"]}
    deepest = max(depths)
    rows = [(REMEDY_NAMES[r], *[_accuracy_cell(at[r, k]) if (r, k) in at else DASH for k in depths],
             *[ratio(speeds[r, deepest][key]) if (r, deepest) in speeds and speeds[r, deepest][key] else DASH
               for key in ("ratio_init", "ratio_final")]) for r in remedies]
    return table(["remedy", *[plural(k, "hidden layer", words=False) for k in depths],
                  f"‖δ^{deepest}^‖/‖δ¹‖ at init", f"after epoch {q['epochs']}"], rows,
                 f"Validation accuracy (%) after epoch {q['epochs']} with each remedy, mean ± standard deviation over "
                 f"seeds (diverged runs left out), and the last over the first hidden layer's speed with {deepest} "
                 "hidden layers (geometric mean over seeds).", "tbl-why-remedies")


def report_tables(s):
    return {"_generated/why_deeper_fit.md": fit_table(s["fit"]) + "\n" + claims_table(s["fit"]),
            "_generated/why_deeper_remedies.md": remedies_table(s["remedies"]),
            "_generated/why_deeper_e3.md": e3_fit_table(s["e3_fit"])}


def fit_table(q):
    rows = [(d["hidden_layers"], pct(d["training_accuracy"]["mean"]), pct(d["validation_accuracy"]["mean"]),
             signed_points(d["gap"]["mean"]), d["training_accuracy"]["n"]) for d in q["per_depth"]]
    return table(["hidden layers", "training accuracy (%)", "validation accuracy (%)", "gap (points)", "seeds"],
                 rows, f"Accuracy after epoch {q['epochs']} on {images_text(q['cost_images'])} (the images the "
                 "training cost is averaged over) and on the validation set, and their difference, the "
                 "generalization gap (mean over seeds).", "tbl-why-fit")


def claims_table(q):
    rows = [(f"{c['deeper']} against {c['shallower']}", points(c["interval"]), c["verdict"], c["reading"],
             points(c["validation_difference"]), c["deficit"]) for c in q["claims"].values()]
    return table(["hidden layers", "training accuracy difference", f"verdict (±{q['minimal']:g} points)",
                  "fits the training set", "validation accuracy difference", "the deficit lies in"], rows,
                 "Deeper against shallower nets after the last epoch: Welch's 95 % intervals over seeds; the "
                 f"verdict of the claim that both fit the training set alike within ±{q['minimal']:g} points, "
                 "after Holm's correction over the pairs.", "tbl-why-fit-claims")


def fit_answer(q, numbers=True):
    """Q1's sentence of the answer: where deeper nets' validation deficit lies (tested claims only);
    without ``numbers``, the deepest pair's differences are left out (the Key findings give them)."""
    claims = list(q["claims"].values())
    tested = [c for c in claims if c["verdict"] not in ("not tested", "not run")]
    if not claims:
        return "This run trained no declared pair of depths, so it does not place deeper nets' deficit."
    if not tested:
        return f"This run does not place deeper nets' deficit: not tested ({claims[0]['not_tested_because']})."
    lower = [c for c in tested if c["validation_direction"] == "lower"]
    if not lower:
        return ("In this run no deeper net validates surely worse than the shallower one it is set against, so "
                "there is no deficit to place.")
    places = {c["deficit"] for c in lower}
    deepest = max(lower, key=lambda c: c["deeper"])
    lead = ("Deeper nets' validation deficit lies in training" if places == {"training"}
            else "Deeper nets' validation deficit lies in generalization" if places == {"generalization"}
            else "This run cannot yet say whether deeper nets' validation deficit lies in training or in "
                 "generalization" if places == {"cannot tell"}
            else "Deeper nets' validation deficit does not lie in one place for every depth")
    needed = f"; {seeds_text(deepest)}" if deepest["deficit"] == "cannot tell" and seeds_text(deepest) else ""
    if not numbers:
        return f"{lead}{needed}."
    return (f"{lead}: with {plural(deepest['deeper'], 'hidden layer')} "
            f"against {word(deepest['shallower'])} the validation accuracy differs by "
            f"{points(deepest['validation_difference'])} and the training accuracy by {points(deepest['interval'])}"
            f"{needed}.")


def equalized_answer(q, where="at this budget"):
    """Q2's sentence of the answer: whether depth helps once the layers' speeds are equalized
    (``where``: the training the claim was judged in). Its verdict read as the question asks: depth
    helping points to the vanishing gradient; deeper nets surely worse with equalized speeds point
    away from it; anything else leaves the question open, with the seeds it would take."""
    mine = [c for c in q["claims"].values() if c["remedy"] == "equalized"]
    if not mine:
        return ""
    tested = [c for c in mine if c["verdict"] not in ("not tested", "not run")]
    if not tested:
        return f"Whether equalizing the speeds {where} lets depth help is not tested ({mine[0]['not_tested_because']})."
    c = max(tested, key=lambda c: c["interval"]["estimate"])
    deep = plural(c["deeper"], "hidden layer")
    if c["verdict"] == "supports":
        return (f"With the layers' speeds equalized {where}, depth helps: {deep} beat two by {points(c['interval'])}, "
                "so the slow learning of the first layers was holding the deeper nets back.")
    if c["verdict"] == "contradicts":
        return (f"With the layers' speeds equalized {where}, {deep} are still worse than two: "
                f"{points(c['interval'])}, so the slow learning of the first layers is not what holds them back.")
    if c["verdict"] == "smaller than claimed":
        return (f"With the layers' speeds equalized {where}, {deep} beat two by less than the minimal effect "
                f"({points(c['interval'])}).")
    needed = f"; {seeds_text(c)}" if seeds_text(c) else ""
    return (f"Whether equalizing the layers' speeds {where} lets depth help this run cannot tell ({deep} against two: "
            f"{points(c['interval'])}{needed}).")


def budget_text(q, section=None):
    """The remedies' training budget: '5 epochs on 10,000 training images' (epochs alone without the section)."""
    epochs = plural(q["epochs"], "epoch", words=False)
    return f"{epochs} on {section['train_size']:,} training images" if section else epochs


def remedies_answer(q, section=None):
    """Q4's sentence of the answer: which remedies make more layers surely better; ``section``: the
    remedies' config, for their budget."""
    helped = [c for c in q["claims"].values() if c["verdict"] == "supports" and c["remedy"] not in ("equalized", "book")]
    if not q["claims"]:
        return ""
    if not helped:
        return (f"None of the remedies makes four or six hidden layers surely better than two in "
                f"{budget_text(q, section)}, a shorter budget than E1's.")
    best = max(helped, key=lambda c: c["interval"]["estimate"])
    return (f"More layers help with {' and '.join(dict.fromkeys(REMEDY_NAMES[c['remedy']] for c in helped))}: "
            f"{plural(best['deeper'], 'hidden layer')} beat two by {points(best['interval'])} with "
            f"{REMEDY_NAMES[best['remedy']]}.")


def answer(s, numbers=True):
    """The answer to the chapter's question, at most three sentences with this run's numbers: where
    the deficit lies (Q1), whether equalized speeds let depth help (Q2) and which remedy makes depth
    help (Q4). Without ``numbers`` Q1's sentence leaves out the differences that the Key findings'
    depth line already gives."""
    section = s.get("config", {}).get("remedies")
    q2 = equalized_answer(s["equalized"], "in E1's training") if s.get("equalized") else equalized_answer(s["remedies"])
    return " ".join(t for t in (fit_answer(s["fit"], numbers), q2, remedies_answer(s["remedies"], section)) if t)


# --- Q5: the missing readings --------------------------------------------------------------------

ACTIVATION_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "softsign": "softsign"}
INIT_NAMES = {"scaled": "N(0, 1/n~in~)", "large": "N(0, 1)", "glorot": "normalized", "standard": "standard",
              "he": "He's", "sparse": "sparse"}


def _times(interval):
    """'0.0042 (95 % interval 0.0031 to 0.0057)' for a geometric mean, or the estimate alone."""
    text = sig(interval["estimate"])
    if not interval["bounded"]:
        return text
    return f"{text} (95 % interval {sig(interval['lo'])} to {sig(interval['hi'])})"


def exploding_sentence(e):
    """Which of R1's nets have a gradient that grows towards the input."""
    total = len(e["cases"])
    if not e["exploding"]:
        return (f"In none of R1's {total} nets at initialization (@sec-beyond-r1) does ‖δʲ‖ surely grow towards "
                "the input.")
    by_kind = {}
    for c in e["exploding"]:
        by_kind.setdefault((c["activation"], c["init"]), []).append(c)
    cases = "; ".join(f"{ACTIVATION_NAMES[act]} with the {INIT_NAMES[init]} init, "
                      + ", ".join(f"{sig(c['ratio']['estimate'])} at width {c['width']}" for c in kind)
                      for (act, init), kind in by_kind.items())
    return (f"Real nets explode too: in {plural(len(e['exploding']), 'case', words=False)} of R1's {total} nets of "
            f"{plural(e['exploding'][0]['hidden_layers'], 'hidden layer')} at initialization (@sec-beyond-r1) the "
            f"last hidden layer's ‖δ‖ over the first's is wholly below 1 (95 % interval; geometric means: {cases}).")


ARGUMENT_VERDICTS = {"supports": "as the argument says", "smaller than claimed": "less than the argument's factor",
                     "contradicts": "so the gradient does not shrink at all", "cannot tell": "this run cannot tell"}


def large_init_sentence(q):
    """The chapter's |w| < 1 argument against the book's N(0, 1) weights in its own nets."""
    if not q["per_depth"]:
        return "This run has no net of two or more hidden layers with N(0, 1) weights."
    r = max(q["per_depth"], key=lambda d: d["hidden_layers"])
    c = r["claim"]
    verdict = (f"not tested ({c['not_tested_because']})" if c["verdict"] == "not tested" else
               ARGUMENT_VERDICTS.get(c["verdict"], c["verdict"]))
    scaled = (f" (with the book's N(0, 1/n~in~) weights: {sig(r['ratio_scaled']['estimate'])} times, "
              f"{sig(r['factor_scaled']['estimate'])} per layer)" if "ratio_scaled" in r else "")
    return (f"With the book's N(0, 1) weights in the chapter's nets of {plural(r['hidden_layers'], 'hidden layer')} "
            f"(E2's probe and seeds), the last hidden layer learns {_times(r['ratio'])} times faster than the first"
            f"{scaled}: a factor of {_times(r['factor'])} per layer, against at least {q['argument_factor']:g} by the "
            f"|w| < 1 argument, {verdict}. In a layer of {q['width']} units each δ sums that many products w σ′, so |w| "
            "< 1 for most single weights does not bound the layer's factor.")


def readings_variables(s):
    return {"exploding": exploding_sentence(s["exploding"]), "large_init": large_init_sentence(s["large_init"]),
            "e3_fit": e3_fit_sentence(s["e3_fit"])}


def e3_fit_sentence(q):
    """What E3's nets learn in their updates: cost and accuracy, start and end, per depth."""
    if not q["per_depth"]:
        return ""
    parts = [f"with {plural(d['hidden_layers'], 'hidden layer')} the training cost falls from "
             f"{d['cost_start']['mean']:.3f} to {d['cost_end']['mean']:.3f}, and the accuracy reaches "
             f"{pct(d['training_accuracy_end']['mean'])} % on the training images and "
             f"{pct(d['validation_accuracy_end']['mean'])} % on the validation set" for d in q["per_depth"]]
    return f"Over the {q['epochs']} updates (mean over seeds, @tbl-why-e3) " + "; ".join(parts) + "."


def e3_fit_table(q):
    rows = [(d["hidden_layers"], f"{d['cost_start']['mean']:.3f}", f"{d['cost_end']['mean']:.3f}",
             pct(d["training_accuracy_end"]["mean"]), pct(d["validation_accuracy_end"]["mean"]), d["cost_end"]["n"])
            for d in q["per_depth"]]
    return table(["hidden layers", "training cost at the start", f"after update {q['epochs']}",
                  "training accuracy (%)", "validation accuracy (%)", "seeds"], rows,
                 "E3's nets over their full-batch updates: training cost (with the L2 term) and accuracy on its "
                 "training images, validation accuracy (mean over seeds).", "tbl-why-e3")


# --- Q3: the budget ------------------------------------------------------------------------------


def budget_sentence(q):
    c = q["claim"]
    if c is None:
        return "This run trained fewer than two depths for longer, so Q3 is not decided."
    deep, shallow = plural(c["deeper"], "hidden layer"), word(c["shallower"])
    if c["verdict"] == "not tested":
        return (f"Whether {deep} catch up with {shallow} in {q['epochs']} epochs is not tested "
                f"({c['not_tested_because']}); the difference is {points(c['interval'])} after the last epoch.")
    reading = {"supports": f"catch up, ending at most {q['catch_up']:g} points below, or above",
               "contradicts": f"do not catch up, ending more than {q['catch_up']:g} points below",
               "cannot tell": f"may or may not catch up (the interval contains −{q['catch_up']:g} points)"}[c["verdict"]]
    return (f"Trained for {q['epochs']} epochs, {deep} {reading}: {points(c['interval'])} against {shallow} after the "
            f"last epoch, {points(q['at_e1_epochs'])} after epoch {min(q['e1_epochs'], q['epochs'])}, E1's last.")
