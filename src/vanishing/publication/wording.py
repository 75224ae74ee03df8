"""How the report writes things (its numbers: ``formats``): pipe tables with a Quarto caption, and
prose that agrees with whatever the config ran:
counts in words with the right number ("one hidden layer", "four hidden layers"), lists ("one,
three and six"), the book's net notation, a measurement with its spread (none for one seed)."""

from __future__ import annotations

def table(header, rows, caption, label):
    """A pipe table with a Quarto caption and cross-reference label."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else ":---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines) + f"\n\n: {caption} {{#{label}}}\n"


# --- counts and lists ----------------------------------------------------------------------

_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def word(n):
    """Small counts in words, as prose has them ("four"); larger ones as digits."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def plural(n, noun, plural_form=None, words=True):
    """``"1 hidden layer"``, ``"4 hidden layers"`` (``words``: ``"one hidden layer"``)."""
    count = word(n) if words else str(n)
    return f"{count} {noun if n == 1 else (plural_form or noun + 's')}"


def listing(items):
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def depth_phrase(depths):
    """``"one to four hidden layers"`` for a contiguous list, else ``"one, three and six hidden layers"``."""
    depths = sorted(depths)
    if len(depths) == 1:
        return plural(depths[0], "hidden layer")
    if len(depths) > 2 and depths == list(range(depths[0], depths[-1] + 1)):
        return f"{word(depths[0])} to {word(depths[-1])} hidden layers"
    return f"{listing(word(k) for k in depths)} hidden layers"


def net(k, width):
    """The book's notation of a net with ``k`` hidden layers: ``[784, 30, 30, 10]``."""
    return "`[" + ", ".join(["784"] + [str(width)] * k + ["10"]) + "]`"


def over_seeds(n):
    return "with one seed" if n == 1 else f"over {n} seeds"


def spread(stats, fmt, unit=""):
    """``"x ± sd"`` (non-breaking, never wrapped) over seeds, or just ``x`` for one seed."""
    if stats["n"] < 2:
        return f"{fmt(stats['mean'])}{unit}"
    return f"{fmt(stats['mean'])}{unit}\u00a0±\u00a0{fmt(stats['std'])}{unit}"
