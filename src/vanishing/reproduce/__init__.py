"""Did this run reproduce the published one? ``check(run, against)`` compares two run folders
(``results/`` against ``docs/`` by default): tables byte for byte and column by column, the
numbers of the summaries against the published seed spread, and what made each run; ``write``
saves the result as a CSV and a small JSON, ``appendix_section`` as the report's Markdown.
``python -m vanishing.reproduce`` and ``snakemake --cores 2 reproduce_check`` run it."""

from .appendix import appendix_section
from .comparison import DIFFERS, PUBLISHED, REPRODUCED, WITHIN_SPREAD, NoRunError, check, fingerprint, write

__all__ = ["check", "write", "fingerprint", "appendix_section", "NoRunError", "REPRODUCED", "WITHIN_SPREAD",
           "DIFFERS", "PUBLISHED"]
