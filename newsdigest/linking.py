"""One file at two paths: what a build does to keep an unchanged output, to give Pagefind a folder of
pages, and to store or publish a share of the search index."""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path


def link_or_copy(src: str | Path, dst: str | Path) -> None:
    """dst becomes the same file as src: a hard link (no bytes copied, same modification time), or a
    copy keeping the modification time where the file system cannot link (FAT, some network disks)."""
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.ENOSYS):
            raise
        shutil.copy2(src, dst)
