"""The report: ``report_values`` (what the chapter's sections quote, and the variables and tables
of the whole report), ``report_top`` (the reproduce box and the key findings), ``appendix`` (the
reproducibility appendix), ``wording`` (counts, lists and tables in words), ``formats`` (one
formatter per kind of number), ``markup`` (outside text printed as text), ``widgets`` (the
explorable figures), ``figure_style`` (the one style of every figure), ``palette`` (Okabe-Ito), ``quarto_syntax`` (Quarto's reading rules checked
without Quarto), ``render`` (Quarto or pandoc) and ``publishing`` (the published copy in docs/)."""
