"""Credit scoring: binning, scorecard, master scale, Basel IRB pricing and limits, metrics.

Modules (imported explicitly; this package imports nothing so ``import backend`` stays light):

- ``binning``: monotone numeric and categorical binning with WOE and IV;
- ``scorecard``: the ``Scorecard`` estimator (PD, score, grade, reason codes, JSON round trip);
- ``grades``: the master scale (``grade_for_pd``);
- ``risk``: IRB capital, risk-based rate, recommended limit, thin-file policy;
- ``metrics``: AUC, Gini, KS, Brier, PSI, calibration by grade;
- ``german_credit``: the public benchmark and its cross-validated AUC;
- ``synthetic``: seeded synthetic credit records for tests and benchmarks.
"""
