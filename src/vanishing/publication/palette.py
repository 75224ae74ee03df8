"""One colour-blind-safe palette for every figure: Okabe & Ito (2008), "Color Universal Design".

Eight colours that stay distinguishable under the common colour-vision deficiencies. Figures pick
colours from here (``OKABE_ITO`` in order, or by name) so that the chapter's and the beyond
figures agree; sequences longer than eight need another channel (line style, marker, panels).
"""

OKABE_ITO_NAMED = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish_green": "#009E73",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
# The order figures use: strong, well-separated hues first; yellow (weak on white) last but one.
OKABE_ITO = list(OKABE_ITO_NAMED.values())


def colors(n):
    """The first ``n`` palette colours; raises ValueError past eight (use panels or line styles)."""
    if n > len(OKABE_ITO):
        raise ValueError(f"{n} series need more than the palette's {len(OKABE_ITO)} colours: split into panels")
    return OKABE_ITO[:n]
