"""Gzip in and out through ISA-L (python-isal) where its wheel is installed, the standard library otherwise.

Why: on a baseline-shaped file, the standard library's zlib spent over a third of `kg convert`'s CPU
time compressing shards at level 1 and a tenth decompressing the input; ISA-L's `igzip` does the same
work two to four times faster (docs/scale.md, "Conversion speed"). The choice is made once, at import;
both give standard gzip streams, and the decompressed bytes are the same whichever library wrote or
reads them (tests/test_convert_gzip.py). Compressed bytes are not: ISA-L and zlib encode differently, so a shard's
gzip bytes depend on the library as well as its content.

`BACKEND` names the library in use; `KG_GZIP=zlib` in the environment forces the standard library (to
compare the two, or to step around a broken wheel).
"""

from __future__ import annotations

import gzip
import os
import zlib
from typing import IO, Any, cast

_damaged: list[type[BaseException]] = [EOFError, gzip.BadGzipFile, zlib.error]

_gz: Any = gzip
BACKEND = "zlib"
if os.environ.get("KG_GZIP", "").lower() != "zlib":
    try:
        from isal import igzip as _igzip  # type: ignore[import-not-found,unused-ignore]
        from isal import isal_zlib as _isal_zlib  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # no wheel for this platform: the standard library, the same streams, slower
        pass
    else:
        _gz, BACKEND = _igzip, "isal"
        # a corrupt deflate stream: zlib.error's counterpart
        _damaged.append(cast("type[BaseException]", _isal_zlib.error))

# What reading a damaged or truncated gzip stream raises, whichever library reads it; ERRORS adds the
# errors of reading the file itself.
DAMAGED: tuple[type[BaseException], ...] = tuple(_damaged)
ERRORS: tuple[type[BaseException], ...] = (*DAMAGED, OSError)

# Shards are written at level 1 whichever the library: ISA-L's level 1 makes them the size of zlib's
# level 1 (what shards were written at before) at about four times its speed. ISA-L's level 0 is a fifth
# faster again but a sixth larger (docs/scale.md), which is not worth it for files loaders read.
SHARD_LEVEL = 1


def reader(fileobj: IO[bytes]) -> IO[bytes]:
    """A decompressing reader over an open binary file (one or more gzip members)."""
    f: IO[bytes] = _gz.GzipFile(fileobj=fileobj, mode="rb")
    return f


def standard_reader(fileobj: IO[bytes]) -> IO[bytes]:
    """The standard library's reader, whatever `BACKEND` is. Where a stream is damaged, it hands over every
    byte it could decompress before the damage, where ISA-L's drops its last buffer (up to 128 KB of
    compressed input): `kg.ingest.open_source` rereads a damaged file with it to keep every whole record."""
    return cast(IO[bytes], gzip.GzipFile(fileobj=fileobj, mode="rb"))


def writer(fileobj: IO[bytes], level: int = SHARD_LEVEL) -> IO[bytes]:
    """A compressing writer onto an open binary file, with no file name and no time in the gzip header,
    so the bytes depend on the content (and the library) only."""
    f: IO[bytes] = _gz.GzipFile(filename="", mode="wb", fileobj=fileobj, compresslevel=level, mtime=0)
    return f
