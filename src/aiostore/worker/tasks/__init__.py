"""Tasks, one module per area."""
