"""Writing files so that a crash never leaves a half-written one behind."""
import os
import os.path as osp
import tempfile
from typing import Callable, IO


def atomic_write(path: str, write: Callable[[IO], None],
                 binary: bool = True) -> None:
    """Calls ``write(f)`` on a temporary file beside ``path``, then renames
    it to ``path`` (atomic on POSIX file systems).

    Args:
        path (str): Final file name; its folder is created if needed.
        write (callable): Writes the content to the open file.
        binary (bool): Open the temporary file in binary mode.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    suffix = osp.splitext(path)[1] + '.tmp'
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=suffix)
    try:
        with os.fdopen(fd, 'wb' if binary else 'w') as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
