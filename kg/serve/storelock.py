"""The server keeps writers out of the store it serves, so a query never meets a store changing under it.

Oxigraph's read-only open sees the store as it was when opened; a writer that compacts meanwhile deletes
files the reader still expects (an ingest next to `kg serve` once ended in a ten-minute hang and a missing
`.sst` file). Rather than reopen read views during writes, the server holds the store's own RocksDB `LOCK`
file (an fcntl lock, the one RocksDB's writer takes), so a writer started while the server runs is refused
at once with RocksDB's lock error, and a server started during a write is refused the same way. Readers
(`kg query`, other servers) take no lock and are not affected.
"""

from __future__ import annotations

import fcntl
import os

from ..errors import StoreError


def hold_store(path: str) -> int | None:
    """Take the store's writer lock and return its descriptor (None on a read-only filesystem, where no
    writer can run anyway). Closing the descriptor releases the lock."""
    lock = os.path.join(path, "LOCK")
    if not os.path.isdir(path):
        raise StoreError(f"no store at {path}: the folder does not exist (ingest into it first)")
    if not os.path.exists(lock):
        raise StoreError(f"{path} is not a kg store (it has no LOCK file); give the folder `kg ingest` wrote")
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:  # read-only filesystem or file: nothing can write the store
        return None
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreError(f"the store at {path} is held by another process (a `kg ingest` writing it, or "
                         "another `kg serve`); start `kg serve` once that has finished") from None
    return fd
