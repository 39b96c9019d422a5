"""Reconciliation: what each shop shows, read back and compared with the master; differences kept as
findings, stock drift repaired through the push path, seller-centre edits adopted or overwritten per
the organisation's policy (docs/architecture.md, "Reconciliation")."""
