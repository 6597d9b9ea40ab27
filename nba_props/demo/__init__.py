"""Deterministic synthetic demo data in the raw formats of the real NBA and odds sources."""

from nba_props.demo.generate import DemoResult, default_as_of, generate_demo
from nba_props.demo.names import normalize_name

__all__ = ["DemoResult", "default_as_of", "generate_demo", "normalize_name"]
