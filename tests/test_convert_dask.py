"""`kg convert --scheduler`: the per-file conversion as Dask tasks on a two-worker LocalCluster gives the same
shards, byte for byte, as the process pool (`--jobs 2`), and survives a worker killed while tasks run."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time

import pytest
from click.testing import CliRunner

from kg.cli import main

distributed = pytest.importorskip("distributed", reason="Dask distributed is not installed (pip install 'kg[dask]')")

EPOCH = "1700000000"  # SOURCE_DATE_EPOCH: one generation time for both runs, so the shards can be compared


def _inputs(shared, tmp_path, copies: int) -> list[str]:
    """Real PubMed files (a 176-record sample and the seed article), copied under distinct names so that
    there are enough tasks to keep both workers busy."""
    src = [shared / "fatcat" / "pubmedsample_2019.xml.gz", shared / "seed" / "pubmed-35246503.xml",
           shared / "tipplerow-pubmed" / "pubmed20n0001.xml.gz"]
    d = tmp_path / "in"
    d.mkdir()
    out = []
    for i in range(copies):
        for s in src:
            p = d / f"c{i:02d}-{s.name}"
            shutil.copyfile(s, p)
            out.append(str(p))
    return out


def _tree(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _convert(args: list[str]) -> str:
    r = CliRunner().invoke(main, ["convert", *args], env={"SOURCE_DATE_EPOCH": EPOCH})
    assert r.exit_code == 0, r.output
    return r.output


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                     silence_logs=50)
    yield c
    c.close()


def test_dask_shards_equal_process_pool_and_skip_complete(shared_data, tmp_path, cluster):
    files = _inputs(shared_data, tmp_path, 2)
    pool, dask = tmp_path / "pool", tmp_path / "dask"
    _convert(["-o", str(pool), "--jobs", "2", "--shard-size", "40", *files])
    out = _convert(["-o", str(dask), "--scheduler", cluster.scheduler_address, "--shard-size", "40", *files])
    assert f"{len(files)} files converted" in out
    a, b = _tree(pool), _tree(dask)
    assert sum(n.endswith(".nq.gz") for n in a) >= 10
    assert a == b  # same names, same bytes: shards and .done markers
    out = _convert(["-o", str(dask), "--scheduler", cluster.scheduler_address, "--shard-size", "40", *files])
    assert f"0 files converted, {len(files)} already complete" in out


def test_dask_worker_killed_mid_run_is_retried(shared_data, tmp_path, cluster):
    from distributed import Client

    files = _inputs(shared_data, tmp_path, 8)
    pool, dask = tmp_path / "pool", tmp_path / "dask"
    _convert(["-o", str(pool), "--jobs", "2", "--shard-size", "20", *files])

    killed: list[int] = []

    def kill_a_busy_worker() -> None:
        with Client(cluster.scheduler_address, timeout=30) as client:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                busy = [w for w, keys in client.processing().items()
                        if any(str(k).startswith("kg-convert-") for k in keys)]
                if busy:
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)  # the worker process itself; its nanny starts a new one
                    killed.append(pid)
                    return
                time.sleep(0.01)

    t = threading.Thread(target=kill_a_busy_worker)
    t.start()
    out = _convert(["-o", str(dask), "--scheduler", cluster.scheduler_address, "--shard-size", "20", *files])
    t.join()
    assert killed, "no worker was seen running a conversion task"
    assert f"{len(files)} files converted" in out
    assert _tree(pool) == _tree(dask)  # complete, and nothing half-written left behind
    assert not [n for n in _tree(dask) if n.endswith(".tmp")]


def test_fsspec_url_output_equals_local_folder(shared_data, tmp_path):
    fsspec = pytest.importorskip("fsspec", reason="fsspec is not installed (pip install 'kg[dask]')")
    files = _inputs(shared_data, tmp_path, 1)
    local = tmp_path / "local"
    _convert(["-o", str(local), "--shard-size", "40", *files])
    url = f"memory://kg-test-{os.getpid()}/shards"
    _convert(["-o", url, "--shard-size", "40", *files])
    fs = fsspec.filesystem("memory")
    remote = {p.rsplit("/", 1)[1]: fs.cat_file(p) for p in fs.ls(url.split("://", 1)[1], detail=False)}
    assert remote == _tree(local)
    out = _convert(["-o", url, *files])
    assert f"0 files converted, {len(files)} already complete" in out
