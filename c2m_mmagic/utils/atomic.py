"""Writing files so that a crash never leaves a half-written one behind."""
import os
import os.path as osp
import uuid
from typing import IO, Callable


def atomic_write(path: str, write: Callable[[IO], None],
                 binary: bool = True) -> None:
    """Calls ``write(f)`` on a temporary file beside ``path``, then renames
    it to ``path`` (atomic on POSIX file systems).

    The temporary file is created with mode 0o666 minus the process umask,
    as ``open()`` would create ``path`` itself, so the renamed file has the
    permissions the user expects (0o644 under umask 022).

    Args:
        path (str): Final file name; its folder is created if needed.
        write (callable): Writes the content to the open file.
        binary (bool): Open the temporary file in binary mode (else UTF-8
            text).
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder,
                   f'.{osp.basename(path)}.{uuid.uuid4().hex[:12]}.tmp')
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with (os.fdopen(fd, 'wb') if binary else os.fdopen(
                fd, 'w', encoding='utf-8')) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def write_text(text: str, path: str) -> None:
    """Writes ``text`` (UTF-8) to ``path`` through :func:`atomic_write`."""
    atomic_write(path, lambda f: f.write(text), binary=False)
