"""Reports: sales, products and operations over every shop, read with set-based SQL under the caller's org."""
