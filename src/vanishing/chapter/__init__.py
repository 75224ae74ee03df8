"""The chapter's experiments: ``experiments`` (E1-E5 as functions of a config section), ``chain``
(one-neuron-per-layer nets, eqs. 122 and 123), ``book`` (every published value, the book's and
the papers', labelled with its source), ``summary`` (the headline numbers from the tables) and
``plots`` (the chapter's figures)."""
