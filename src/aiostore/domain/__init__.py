"""The business model: plain, typed, no I/O."""
