"""Why deeper is no better here, and what makes depth help: the questions the chapter leaves open,
each decided by experiment with the chapter's engine, instruments, seeds and verdict rule
(``beyond.verdicts``). ``fit``: optimization or generalization (E1's training accuracy beside its
validation accuracy); ``summary``: the numbers the section quotes; ``report``: how it quotes them."""
