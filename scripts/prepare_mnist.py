"""Rule prepare_mnist: parse the IDX files into the book's train/validation/test .npz splits."""

import logging
from pathlib import Path

from vanishing import data

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
logging.basicConfig(filename=sm.log[0], level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
try:
    data.prepare_mnist(
        Path(sm.input.raw[0]).parent,
        {split: sm.output[split] for split in data.SPLITS},
    )
except Exception:
    logging.exception("prepare_mnist failed")
    raise
