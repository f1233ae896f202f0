"""Checkpoints written atomically: a run killed while saving leaves the
previous checkpoint intact, never a truncated file under the final name.

mmengine 0.10.7's Runner saves through ``mmengine.runner.runner
.save_checkpoint``, which writes the final path directly; local paths are
routed through a temporary file and a rename instead.
"""
import mmengine.runner.runner as runner_module
import torch
from mmengine.runner.checkpoint import save_checkpoint as _mmengine_save

from ..utils import atomic_write


def save_checkpoint_atomic(checkpoint: dict,
                           filename: str,
                           file_client_args=None,
                           backend_args=None) -> None:
    """``torch.save`` to a temporary file beside ``filename``, then rename;
    non-local destinations go through mmengine unchanged."""
    if '://' in str(filename) or file_client_args or backend_args:
        _mmengine_save(checkpoint, filename, file_client_args, backend_args)
        return
    atomic_write(filename, lambda f: torch.save(checkpoint, f))


def use_atomic_checkpoints() -> None:
    """Makes mmengine's Runner save checkpoints atomically."""
    runner_module.save_checkpoint = save_checkpoint_atomic


use_atomic_checkpoints()
