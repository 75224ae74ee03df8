"""What every Snakemake script does first: log to the rule's log file (and stderr), write any
exception that ends the job into that log too, and hold the BLAS thread count to the job's
``threads`` so that parallel jobs do not oversubscribe the cores; a training rule's ``params.engine``
becomes the engine of the job's training runs."""

from __future__ import annotations

import logging
import sys

import numpy as np
from threadpoolctl import threadpool_limits

from vanishing.engine.fastpath import steps as fastpath


def log_uncaught(logger: logging.Logger):
    """A ``sys.excepthook`` that writes the traceback through ``logger`` (the job's log file and
    stderr), so the log Snakemake points to after a failure says why the job failed."""

    def hook(kind, value, tb):
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        logger.error("job failed: %s: %s", kind.__name__, value, exc_info=(kind, value, tb))
        logging.shutdown()  # flush the file before the process exits

    return hook


def start(sm, name=None):
    """Set up logging, the exception hook and BLAS threads for a Snakemake job; return its logger."""
    handlers = [logging.StreamHandler(sys.stderr)]
    if sm.log:
        handlers.append(logging.FileHandler(sm.log[0], mode="w"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", handlers=handlers, force=True)
    logger = logging.getLogger(name or sm.rule)
    sys.excepthook = log_uncaught(logger)
    threadpool_limits(limits=sm.threads, user_api="blas")
    logger.info("rule %s, wildcards %s, threads %s", sm.rule, dict(sm.wildcards), sm.threads)
    params = getattr(sm, "params", None)
    engine = params.get("engine") if params is not None else None
    if engine:  # the training engine of the rule's runs (config key engine)
        fastpath.use(engine)
        logger.info("training engine %s", engine)
    return logger


def dtype(name):
    return np.dtype(name).type


def splits(sm):
    """The prepared MNIST splits named in the rule's input."""
    return {"train": sm.input.train, "validation": sm.input.validation, "test": sm.input.test}
