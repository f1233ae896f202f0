from .atomic_checkpoint import save_checkpoint_atomic, use_atomic_checkpoints
from .checkpoint_compat import allow_mmengine_checkpoint_types
from .hooks import NonFiniteLossError, NonFiniteLossHook, ResultsTableHook

__all__ = [
    'NonFiniteLossError', 'NonFiniteLossHook', 'ResultsTableHook',
    'allow_mmengine_checkpoint_types', 'save_checkpoint_atomic',
    'use_atomic_checkpoints'
]
