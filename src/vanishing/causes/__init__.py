"""The chapter's causes, measured (E6 and its companions): how fast ‖δˡ‖ falls per layer against
what eq. (124) predicts, the layer Jacobians' singular values, why the gap between the layers'
speeds shrinks in some regimes, and whether slow early layers are already near an optimum.

Modules: ``factors`` (the backward factors of eq. 124 on one net: per-example gains, the simple
estimate, Jacobian singular values), ``depth_sweep`` (E6), ``jacobian`` (singular values),
``regime`` (one factor at a time), ``layerwise`` (train one layer only), ``summary`` (the numbers
and verdicts the report quotes), ``report_values`` (its variables and tables), ``plots`` (figures).
"""
