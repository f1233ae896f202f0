"""Lets mmengine 0.10.7 resume under torch >= 2.6, keeping ``weights_only``.

torch 2.6 made ``torch.load(weights_only=True)`` the default. mmengine's
training checkpoints hold its ``HistoryBuffer`` (with numpy arrays inside), so
``--resume`` fails. Rather than loading with ``weights_only=False`` (which runs
arbitrary pickled code), the few types mmengine writes are allow-listed, and
``HistoryBuffer`` stops pickling its statistics methods (bound methods that
unpickle through ``getattr``, which no weights-only loader should allow; they
are class-level and re-registered on import anyway).
"""
import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer


def _numpy_types() -> list:
    try:
        multiarray = np._core.multiarray  # numpy >= 2
    except AttributeError:
        multiarray = np.core.multiarray
    dtype_classes = [
        getattr(np.dtypes, name) for name in dir(np.dtypes)
        if name.endswith('DType')
    ] if hasattr(np, 'dtypes') else []
    return [multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype
            ] + dtype_classes


def _history_buffer_state(self) -> dict:
    return {k: v for k, v in self.__dict__.items() if k != 'statistics_methods'}


def allow_mmengine_checkpoint_types() -> None:
    """Adds mmengine's checkpoint types to torch's weights-only allow-list
    and makes ``HistoryBuffer`` pickle without bound methods."""
    HistoryBuffer.__getstate__ = _history_buffer_state
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:  # torch < 2.4 has no allow-list and needs none
        add([HistoryBuffer] + _numpy_types())


allow_mmengine_checkpoint_types()
