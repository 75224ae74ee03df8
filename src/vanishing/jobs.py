"""What every Snakemake script does first: log to the rule's log file (and stderr), and hold the
BLAS thread count to the job's ``threads`` so that parallel jobs do not oversubscribe the cores."""

from __future__ import annotations

import logging
import sys

import numpy as np
from threadpoolctl import threadpool_limits


def start(sm, name=None):
    """Set up logging and BLAS threads for a Snakemake job; return its logger."""
    handlers = [logging.StreamHandler(sys.stderr)]
    if sm.log:
        handlers.append(logging.FileHandler(sm.log[0], mode="w"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", handlers=handlers, force=True)
    logger = logging.getLogger(name or sm.rule)
    threadpool_limits(limits=sm.threads, user_api="blas")
    logger.info("rule %s, wildcards %s, threads %s", sm.rule, dict(sm.wildcards), sm.threads)
    return logger


def dtype(name):
    return np.dtype(name).type


def splits(sm):
    """The prepared MNIST splits named in the rule's input."""
    return {"train": sm.input.train, "validation": sm.input.validation, "test": sm.input.test}
