"""The compiled PubMed reader under AddressSanitizer and UndefinedBehaviorSanitizer.

Why: the differential test (tests/test_pubmed_fast.py) proves the output equal, but a C bug such as
reading from a buffer that a later append moved (one was found this way) only shows when memory happens
to move; ASan makes every such access fail at once. The module is compiled afresh with the sanitizers
into a temporary folder and the whole differential test runs against it in a subprocess with the
sanitizer runtimes preloaded. Skipped where gcc has no sanitizer runtime.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_RUN = r"""
import importlib.machinery, importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "kg._pubmed_fast", sys.argv[1], loader=importlib.machinery.ExtensionFileLoader("kg._pubmed_fast", sys.argv[1]))
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
sys.modules["kg._pubmed_fast"] = mod
import kg.rdf.fast
assert kg.rdf.fast.map_article is mod.map_article, "the sanitized build is not the one in use"
import pytest
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-x", sys.argv[2]]))
"""


def _runtime(name: str) -> str | None:
    out = subprocess.run(["gcc", f"-print-file-name={name}"], capture_output=True, text=True)
    path = out.stdout.strip()
    return path if out.returncode == 0 and os.path.isabs(path) and os.path.exists(path) else None


def test_differential_test_passes_under_address_and_undefined_behaviour_sanitizers(tmp_path):
    import lxml
    asan, ubsan = _runtime("libasan.so"), _runtime("libubsan.so")
    if not (asan and ubsan):
        pytest.skip("gcc's AddressSanitizer/UBSan runtimes (libasan, libubsan) are not installed")
    so = tmp_path / "_pubmed_fast_sanitized.so"
    includes = [f"-I{d}" for d in lxml.get_include()] + [f"-I{sysconfig.get_paths()['include']}"]
    build = subprocess.run(["gcc", "-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
                            "-fno-omit-frame-pointer", "-shared", "-fPIC", *includes,
                            str(ROOT / "kg" / "_pubmed_fast.c"), "-o", str(so)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    env = dict(os.environ, LD_PRELOAD=f"{asan} {ubsan}", ASAN_OPTIONS="detect_leaks=0:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1")
    r = subprocess.run([sys.executable, "-c", _RUN, str(so), str(ROOT / "tests" / "test_pubmed_fast.py")],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    full = r.stdout + r.stderr
    report = r.stderr[:5000] + "\n...\n" + r.stdout[-3000:]  # the sanitizer report opens stderr
    assert "ERROR: AddressSanitizer" not in full and "runtime error:" not in full, report
    assert r.returncode == 0, report
    assert " passed" in r.stdout, report
