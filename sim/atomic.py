"""Atomic file writes: a file is either whole or absent, never half-written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: What a plain open() would give a new file: mkstemp makes it 0600, which colleagues on a
#: shared disk could not read.
FILE_MODE = 0o666 & ~_umask()


def _sync_folder(folder: Path) -> None:
    """fsync a folder, so a rename in it is on disk (where the file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse to fsync a folder; the rename is still atomic
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename.

    If the body raises, the temporary file is removed and `path` is left as it was.

    Args:
        path: the file to (re)write.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.fchmod(fd, FILE_MODE)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as handle:  # the data must be on disk before the name points at it
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        _sync_folder(target.parent)  # the rename itself must survive a power cut
    finally:
        if tmp.exists():
            tmp.unlink()
