"""Marketplace connectors: one package per platform behind one ``MarketplaceConnector`` protocol."""
