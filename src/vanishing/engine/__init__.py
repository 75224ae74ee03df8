"""The engine, in the book's notation: ``network`` (activations, costs, initializers, the one δ
recursion ``Network.backward``), ``train`` (network2's SGD, classical momentum, Nesterov, the
per-epoch instruments), ``stacked`` (several seeds of one configuration as one computation),
``nets`` (every experiment's [784, width x k, 10] net from one seed), ``per_example`` (the book's
algorithm one example at a time: the reference) and ``fastpath`` (the compiled engine)."""
