"""`python -m kg` and the `kg` script are the same command line."""

from __future__ import annotations

import subprocess
import sys


def test_python_dash_m_kg_runs_the_cli():
    r = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "ingest" in r.stdout and "query" in r.stdout


def test_package_data_door():
    from kg.resources import package_data
    assert package_data("lexicon", "MANIFEST.json").is_file()
    assert package_data("mesh-hierarchy-2015.nt.gz").is_file()
