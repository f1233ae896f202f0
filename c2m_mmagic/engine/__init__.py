from .checkpoint_compat import allow_mmengine_checkpoint_types
from .hooks import ResultsTableHook

__all__ = ['ResultsTableHook', 'allow_mmengine_checkpoint_types']
