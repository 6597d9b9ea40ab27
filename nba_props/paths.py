"""Where things are: the one definition of the project's directories."""

from __future__ import annotations

from pathlib import Path

# The repository root: dbt_project.yml, profiles.yml and the models live here.
PROJECT_DIR = Path(__file__).resolve().parents[1]
