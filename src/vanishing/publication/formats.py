"""How the report prints numbers: one formatter per kind of number, for every part of the report
(the chapter, beyond the chapter, the causes and the reproduction check). Each returns text ready
for Markdown; missing values (None, NaN) print as DASH where a formatter accepts them."""

from __future__ import annotations

import math

DASH = "–"


def pct(x):
    """A percentage (an accuracy, a test error) to two decimals, as the book prints them."""
    return f"{x:.2f}"


def pct_or_dash(x):
    """``pct``, or DASH for None and non-finite values (a diverged run)."""
    return DASH if x is None or not math.isfinite(x) else f"{x:.2f}"


def signed_points(x):
    """A signed difference of percentages in points, with a true minus sign: "+0.42", "−0.10"."""
    return f"{x:+.2f}".replace("-", "−")


def fixed3(x):
    """A number near 1 (a gain, an rms) to three decimals."""
    return f"{x:.3f}"


def sig(x, digits=3):
    """A positive measurement to ``digits`` significant figures (no exponent for usual sizes)."""
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa} × 10^{int(exp)}^"
    return text


def short(x, digits=3):
    """A number for prose: ``digits`` significant digits, no exponent below 10^digits (thousands
    separated); DASH for None or NaN; ∞ and −∞."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return DASH
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "−∞"
    x = float(x)
    if x != 0 and abs(x) >= 10**digits:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def mean_pm_std(stats, fn=short):
    """"mean ± std" of a stats dict (``fn`` formats both), DASH if there is none."""
    return DASH if stats is None else f"{fn(stats['mean'])} ± {fn(stats['std'])}"


def ratio(x):
    """A ratio of speeds: one decimal below 100, none from 100 on."""
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def sci(x):
    """A tiny or huge number as m × 10^e^ (pandoc/Quarto superscript)."""
    mantissa, exp = f"{x:.2e}".split("e")
    return f"{mantissa} × 10^{int(exp)}^"


def cell(x) -> str:
    """Any value in a table of the reproduction check: numbers to six significant figures (powers of
    ten outside 0.001..10⁶), other values as code cut to 40 characters, DASH for None."""
    if x is None:
        return DASH
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        text = str(x)
        return f"`{text[:37] + '...' if len(text) > 40 else text}`"
    if isinstance(x, int) or x == 0:
        return str(x)
    if not math.isfinite(x):
        return str(x)
    return f"{x:.6g}" if 1e-3 <= abs(x) < 1e6 else sci(x)
