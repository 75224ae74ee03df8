"""What the report's section "Why deeper is no better here, and what makes depth help" quotes from
``results/why_deeper_summary.json``: the variables behind ``{{< var why_deeper.… >}}``, the
generated tables, and the answer sentence for the Key findings (``answer``). Numbers are
formatted here once."""

from __future__ import annotations

from ..formats import DASH, pct, signed_points
from ..prose import plural, table, word

DEFICIT = {"training": "in fitting the training set", "generalization": "in generalizing from it",
           "no deficit": "nowhere: its validation accuracy is not surely lower", "cannot tell": "undecided"}


def points(interval):
    """'−0.31 points (95 % interval −0.52 to −0.10)', or the estimate alone when too few seeds."""
    if interval is None:
        return DASH
    text = f"{signed_points(interval['estimate'])} points"
    if not interval["bounded"]:
        return text + " (too few seeds for an interval)"
    return text + f" (95 % interval {signed_points(interval['lo'])} to {signed_points(interval['hi'])})"


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
    text += f"; their validation accuracy differs by {points(claim['validation_difference'])}"
    if claim["validation_direction"] == "lower":
        text += f", so the deficit lies {DEFICIT[claim['deficit']]}"
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


def report_variables(s):
    """The ``why_deeper`` namespace of the report's variables."""
    return {"fit": fit_variables(s["fit"])}


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


def report_tables(s):
    return {"_generated/why_deeper_fit.md": fit_table(s["fit"]) + "\n" + claims_table(s["fit"])}


def answer(s):
    """The answer to the chapter's question for the Key findings, from this run's numbers: at most
    three sentences, from the claims that were tested (Q1 so far)."""
    q = s["fit"]
    claims = list(q["claims"].values())
    tested = [c for c in claims if c["verdict"] not in ("not tested", "not run")]
    if not claims:
        return "This run trained no declared pair of depths, so it does not answer why deeper is no better."
    if not tested:
        return f"This run does not place deeper nets' deficit: not tested ({claims[0]['not_tested_because']})."
    lower = [c for c in tested if c["validation_direction"] == "lower"]
    if not lower:
        return ("In this run no deeper net validates surely worse than the shallower one it is set against, so "
                "there is no deficit to place.")
    places = {c["deficit"] for c in lower}
    deepest = max(lower, key=lambda c: c["deeper"])
    where = ("in training" if places == {"training"} else "in generalization" if places == {"generalization"}
             else "not yet placed" if places == {"cannot tell"} else "not in one place for every depth")
    return (f"Deeper nets' validation deficit lies {where}: with {plural(deepest['deeper'], 'hidden layer')} "
            f"against {word(deepest['shallower'])} the validation accuracy differs by "
            f"{points(deepest['validation_difference'])} and the training accuracy by {points(deepest['interval'])}.")
