"""Spreadsheets: reading CSV and XLSX uploads into typed rows with row- and column-numbered findings,
and writing CSV and XLSX exports (streamed, formula cells neutralised)."""
