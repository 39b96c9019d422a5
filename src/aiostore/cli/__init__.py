"""Command line: Typer + Rich."""
