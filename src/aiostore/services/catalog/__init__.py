"""The master catalog: products, variants (master SKUs), per-market prices, inventory."""
