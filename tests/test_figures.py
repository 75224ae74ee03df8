"""Figures are files like any other output: the same inputs give the same bytes."""

import subprocess
import sys

SCRIPT = """
import sys
import matplotlib.pyplot as plt
from vanishing import plots
with plt.rc_context(plots.STYLE):
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 1, 2], label="line")
    ax.fill_between([1, 2, 3], [0, 0, 1], [2, 3, 3], alpha=0.2)  # a clipped patch: clip-path ids
    ax.legend()
plots.save(fig, sys.argv[1] + ".png", sys.argv[1] + ".svg")
"""


def test_svg_is_byte_identical_across_processes(tmp_path):
    """Two fresh interpreters drawing the same figure write the same SVG (clip-path ids included)."""
    svgs = []
    for name in ("first", "second"):
        subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / name)], check=True)
        svgs.append((tmp_path / f"{name}.svg").read_bytes())
    assert b"clip-path" in svgs[0]
    assert svgs[0] == svgs[1]
