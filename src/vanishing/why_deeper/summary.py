"""The numbers the study section quotes (``results/why_deeper_summary.json``), from the pipeline's
tables: one entry per question answered so far, each with its claims judged by the interval rule."""

from __future__ import annotations

from vanishing.pipeline.table_digests import read_table
from . import budget, fit, readings, remedies


def read_tables(paths):
    """The tables at ``paths`` (name -> path), each checked against its digest first."""
    return {name: read_table(path) for name, path in paths.items()}


def summarize(tables, e1_cost_images, config, e2_width, e1_epochs):
    """Q1 from E1's table (``depth_accuracy``), its training accuracy read over the first
    ``e1_cost_images`` training images; Q2 and Q4 from the remedies' tables; Q3 from E1's runs
    trained longer, beside E1's ``e1_epochs``; Q2 in E1's protocol from the equalized runs'
    tables, beside E1's nets of the same depths; Q5's readings from R1's table, E3's cost and accuracy
    and E2's speeds with both inits (``e2_width`` units per hidden layer); ``config``: the
    why_deeper section the runs used."""
    return {"fit": fit.summarize(tables["depth_accuracy"], e1_cost_images),
            "remedies": remedies.summarize_remedies(tables["why_deeper_remedies"], tables["why_deeper_remedies_speed"]),
            "equalized": {**remedies.summarize_remedies(tables["why_deeper_equalized"],
                                                        tables["why_deeper_equalized_speed"]),
                          "against_book": remedies.against_book(tables["why_deeper_equalized"],
                                                                tables["depth_accuracy"])},
            "budget": budget.summarize_budget(tables["why_deeper_budget"], e1_epochs),
            "exploding": readings.exploding(tables["beyond_init"]),
            "e3_fit": readings.e3_fit(tables["learning_speed_fit"]),
            "large_init": readings.large_init(tables["why_deeper_large_init"], tables["initial_speed"], e2_width),
            "config": config}
