"""Real SPARQL servers for tests and benchmarks: Oxigraph server and Virtuoso Open Source on 127.0.0.1
(and the Jena TDB2 tools, run through scripts/jena, for the bulk-loader tests).

Each server lives in its own temporary folder on a free port and is stopped (or SIGKILLed, for the fault
tests) by the fixture that started it. `scripts/install-servers.sh` installs them; tests marked `server`
skip with a clear message when a binary is absent. Facts behind the numbers here: ../shared/SERVERS.md.

Used as a pytest plugin (`pytest_plugins = ["tests.servers"]` in conftest.py) and imported by
benchmarks/bench_servers.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str | None:
    """The `oxigraph` CLI from the project's venv (the PyPI wheel ships it), else from PATH."""
    for cand in (Path(sys.executable).parent / "oxigraph", ROOT / ".venv" / "bin" / "oxigraph"):
        if cand.exists():
            return str(cand)
    return shutil.which("oxigraph")


def virtuoso_binaries() -> tuple[str, str] | None:
    v, i = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (v, i) if v and i else None


JENA = ROOT / "scripts" / "jena"  # runs Debian's Jena jars (libapache-jena-java); see its header


def jena_problem() -> str | None:
    """None when `scripts/jena` can run Jena here, else its own account of what is missing."""
    r = subprocess.run(["sh", str(JENA), "--check"], capture_output=True, text=True, timeout=60)
    return None if r.returncode == 0 else (r.stderr.strip() or f"scripts/jena --check exited {r.returncode}")


def jena(main_class: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """`scripts/jena MAIN-CLASS ARGS...` (e.g. tdb2.tdbloader); output captured as text."""
    return subprocess.run(["sh", str(JENA), main_class, *args], capture_output=True, text=True, timeout=timeout)


def _wait_http(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
                return
        except urllib.error.HTTPError:
            return  # it answered, even if with an error page
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server not ready at {url} after {timeout}s; log:\n{log.read_text()[-3000:]}")


class Server:
    """Common lifecycle: start, stop (TERM), kill (SIGKILL), restart on the same folder and port."""

    name = "server"
    proc: subprocess.Popen | None = None

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.http_port = free_port()
        self.log = self.dir / "server.log"

    def command(self) -> list[str]:
        raise NotImplementedError

    ready_url = ""
    ready_timeout = 30.0

    def start(self) -> "Server":
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(self.command(), cwd=self.dir, stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        logf.close()
        _wait_http(self.ready_url, self.proc, self.ready_timeout, self.log)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown, no flush."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def restart(self) -> "Server":
        self.stop()
        return self.start()


class OxigraphServer(Server):
    name = "oxigraph"

    def __init__(self, directory: Path, binary: str) -> None:
        super().__init__(directory)
        self.binary = binary
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.query_url = self.base + "/query"
        self.update_url = self.base + "/update"
        self.gsp_url = self.base + "/store"
        self.ready_url = self.query_url + "?query=ASK%7B%7D"
        self.ready_timeout = 15.0

    def command(self) -> list[str]:
        return [self.binary, "serve", "--location", str(self.dir / "db"), "--bind", f"127.0.0.1:{self.http_port}"]

    def load_args(self) -> list[str]:
        """`kg load` options for this server."""
        return ["--endpoint", self.query_url, "--update-endpoint", self.update_url]


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
TempAllocationPct = 100
DirsAllowed = ., {d}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
ThreadCleanupInterval = 0
ResourcesCleanupInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}/www
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TransactionTimeout = 300
Charset = UTF-8
MaintenancePage = atomic.html
EnabledGzipContent = 1

[AutoRepair]
BadParentLinks = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
; 0: no refusal on the planner's own estimate, as the README asks of Virtuoso users (decision 0021,
; addendum 5): with 400, pathways-linking was refused on estimates of 3,222 s to 27 million s
; after some fresh loads, for a query that then ran in 0.2-22 s
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 300
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
DeferInferenceRulesInit = 0
"""


class VirtuosoServer(Server):
    name = "virtuoso"
    password = "dba"

    def __init__(self, directory: Path, binaries: tuple[str, str], *, max_rows: int = 10_000) -> None:
        super().__init__(directory)
        self.binary, self.isql_binary = binaries
        self.max_rows = max_rows  # [SPARQL] ResultSetMaxRows: SELECT answers are cut at this many rows
        self.sql_port = free_port()
        (self.dir / "www").mkdir(exist_ok=True)
        (self.dir / "virtuoso.ini").write_text(
            VIRTUOSO_INI.format(d=self.dir, sql=self.sql_port, http=self.http_port, max_rows=max_rows))
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.query_url = self.base + "/sparql"
        self.auth_url = self.base + "/sparql-auth"
        self.gsp_url = self.base + "/sparql-graph-crud"
        self.gsp_auth_url = self.base + "/sparql-graph-crud-auth"
        self.ready_url = self.query_url + "?query=ASK%7B%7D"
        self.ready_timeout = 60.0

    def command(self) -> list[str]:
        return [self.binary, "+configfile", str(self.dir / "virtuoso.ini"), "+foreground"]

    def start(self) -> "VirtuosoServer":
        # After a SIGKILL the .lck lock can outlive the process for a moment: retry a few times.
        for attempt in range(5):
            try:
                super().start()
                return self
            except RuntimeError:
                if attempt == 4:
                    raise
                lck = self.dir / "virtuoso.lck"
                time.sleep(1.0)
                if lck.exists() and self.proc is None:
                    lck.unlink(missing_ok=True)
        return self

    def isql(self, sql: str) -> str:
        """Run SQL as dba; isql exits 0 even on failure, so look for `*** Error` in its output."""
        out = subprocess.run([self.isql_binary, f"127.0.0.1:{self.sql_port}", "dba", self.password,
                              f"exec={sql}"], capture_output=True, text=True, timeout=120)
        text = out.stdout + out.stderr
        if "*** Error" in text:
            raise RuntimeError(f"isql failed: {sql!r}: {text[-2000:]}")
        return text

    def grant_anonymous_update(self) -> None:
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET(\'nobody\', 7);')

    def set_password(self, new: str) -> None:
        self.isql(f"SET PASSWORD {self.password} {new}; checkpoint;")
        self.password = new

    def checkpoint(self) -> None:
        self.isql("checkpoint;")

    def load_args(self) -> list[str]:
        """`kg load` options for this server: digest-authenticated endpoints (credentials from env); the
        Graph Store Protocol, since Virtuoso's SPARQL Update is slow and refuses big requests."""
        return ["--endpoint", self.auth_url, "--gsp", self.gsp_auth_url, "--auth", "digest"]


# ---- pytest fixtures -------------------------------------------------------------------------------

@pytest.fixture
def oxigraph_server(tmp_path_factory):
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is absent; run scripts/install-servers.sh "
                    "(pip install 'oxigraph>=0.5,<0.6' into .venv)")
    srv = OxigraphServer(tmp_path_factory.mktemp("oxigraph"), binary)
    srv.start()
    try:
        yield srv
    finally:
        srv.kill() if srv.proc else None


@pytest.fixture
def virtuoso_server(tmp_path_factory, monkeypatch):
    bins = virtuoso_binaries()
    if bins is None:
        pytest.skip("Virtuoso (virtuoso-t, isql-vt) is absent; run scripts/install-servers.sh "
                    "(apt-get install virtuoso-opensource)")
    srv = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"), bins)
    srv.start()
    monkeypatch.setenv("KG_SPARQL_USER", "dba")
    monkeypatch.setenv("KG_SPARQL_PASSWORD", srv.password)
    try:
        yield srv
    finally:
        srv.kill() if srv.proc else None


@pytest.fixture(params=["oxigraph", "virtuoso"])
def sparql_server(request):
    """Each real server in turn."""
    return request.getfixturevalue(f"{request.param}_server")
