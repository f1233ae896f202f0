"""An mmengine file backend that writes local files atomically.

Select it where mmengine or mmcv take ``backend_args``, e.g.
``default_hooks.checkpoint.backend_args=dict(backend='atomic_local')``: a run
killed while saving then leaves the previous checkpoint intact, never a
truncated file under the final name. Reading is mmengine's ``LocalBackend``.
"""
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

from .atomic import atomic_write

ATOMIC_BACKEND = 'atomic_local'


def atomic_backend_args() -> dict:
    """``backend_args`` selecting :class:`AtomicLocalBackend`."""
    return dict(backend=ATOMIC_BACKEND)


@register_backend(ATOMIC_BACKEND)
class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose writes go to a temporary file, then a rename."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Writes ``obj`` to ``filepath`` atomically."""
        atomic_write(str(filepath), lambda f: f.write(obj))

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        """Writes the text ``obj`` to ``filepath`` atomically."""
        self.put(obj.encode(encoding), filepath)
