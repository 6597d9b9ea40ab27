"""Warehouse clients: BigQuery (production). DuckDB needs none beyond the duckdb package."""
