"""Beyond the chapter: the claims of Glorot & Bengio (2010) and Sutskever et al. (2013), tested on
the chapter's nets as the papers state them. Laid out like the chapter:

    training.py       nets, instruments, records, and ``train_seeds`` (every training run)
    r1_init.py        R1 gradients at initialization (runs, table, claims)
    r2_saturation.py  R2 saturation during training (Figs. 2-3)
    r3_optimizers.py  R3 SGD, momentum and Nesterov with Sutskever et al.'s schedule
    r4_table1.py      R4 a small Table 1
    verdicts.py       intervals, minimal effects and the decision rule (pure functions)
    summary.py        beyond_summary.json
    report_values.py  what the report quotes
    plots.py          the figures

Nothing here knows about Snakemake or paths. The names below are what the scripts and
``scripts/tabulate.py`` (``<experiment>_table``) use.
"""

from .report_values import report_tables, report_variables
from .r1_init import init_gradients, init_table, layer_ratios
from .r2_saturation import relative_derivative, saturation, saturation_seeds, saturation_table
from .r3_optimizers import (optimizer_names, optimizer_run, optimizer_runs, optimizers_table, parse_optimizer,
                            select_eta, selection_runs)
from .r4_table1 import table1_run, table1_runs, table1_table
from .summary import summarize
from .verdicts import CANNOT_TELL, CONTRADICTS, NOT_RUN, NOT_TESTED, SMALLER, SUPPORTS
from . import r1_init, r2_saturation, r3_optimizers, r4_table1

TABLE_COLUMNS = {"beyond_init": r1_init.COLUMNS, "beyond_saturation": r2_saturation.COLUMNS,
                 "beyond_optimizers": r3_optimizers.COLUMNS, "beyond_table1": r4_table1.COLUMNS}

__all__ = ["CANNOT_TELL", "CONTRADICTS", "NOT_RUN", "NOT_TESTED", "SMALLER", "SUPPORTS", "TABLE_COLUMNS", "init_gradients", "init_table",
           "layer_ratios", "optimizer_names", "optimizer_run", "optimizer_runs", "optimizers_table", "parse_optimizer",
           "relative_derivative", "report_tables", "report_variables", "saturation",
           "saturation_seeds", "saturation_table", "select_eta", "selection_runs", "summarize", "table1_run", "table1_runs",
           "table1_table"]
