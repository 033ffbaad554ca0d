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


def test_every_command_module_is_registered_by_name():
    """kg.cli imports the command families by name (no importlib), so each module in kg/commands/ must be
    in COMMAND_MODULES, and each adds at least one command to `kg`."""
    from pathlib import Path

    import click

    import kg.commands
    from kg.cli import COMMAND_MODULES, main

    folder = Path(kg.commands.__file__).parent
    on_disk = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")}
    listed = {m.__name__.rsplit(".", 1)[1] for m in COMMAND_MODULES}
    assert listed == on_disk
    for module in COMMAND_MODULES:
        group = click.Group()
        module.register(group)
        assert group.commands, module.__name__
        assert all(main.commands[name] is cmd for name, cmd in group.commands.items())
