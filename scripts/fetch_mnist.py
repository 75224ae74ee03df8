"""Rule fetch_mnist: put the four SHA-256-verified MNIST IDX files in {DATA}/raw (see vanishing.data)."""

import logging
from pathlib import Path

from vanishing import data

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
logging.basicConfig(filename=sm.log[0], level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
try:
    data.fetch_mnist(
        sm.params.sources,
        Path(sm.output.raw[0]).parent,
        checksums=sm.params.checksums,
        timeout=sm.params.timeout,
        manifest=sm.output.manifest,
    )
except Exception:
    logging.exception("fetch_mnist failed")
    raise
