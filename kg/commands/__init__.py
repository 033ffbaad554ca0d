"""The command families of the `kg` CLI, one module each; `kg.cli` imports and registers them.

Command modules never import one another: what two of them share (the --store option, opening a store or
a SPARQL server, the ingest run behind `kg ingest` and `kg fetch`) lives in `kg.commands._common`, so the
import-linter contract in pyproject.toml can check that the families stay independent.
"""
