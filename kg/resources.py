"""The one place that opens the project's data folders: ontology/, shapes/, queries/, and kg/data/.

They sit at the top of the source tree (the design card's layout); the wheel maps them into the package
as `kg/_data/<name>` (see pyproject.toml), so both an editable install and a wheel find them here.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Path of `ontology`, `shapes` or `queries` (or another top-level data folder)."""
    for candidate in (_PKG.parent / name, _PKG / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kg data folder {name!r} not found next to the package")


def package_data(*parts: str) -> Path:
    """Path of a file shipped inside the package under kg/data/ (the bundled lexicon, the MeSH tree)."""
    return _PKG.joinpath("data", *parts)
