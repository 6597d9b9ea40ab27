"""Monitoring beside the run log: Elementary (its anomaly tests, the demo's clock, edr)."""
