from .optimizers import (GroupedMultiOptimWrapperConstructor,
                         GroupedOptimWrapperConstructor)
from .hooks import (NonFiniteLossError, NonFiniteLossHook,
                    PortableCheckpointHook, ResultsTableHook, SaveSRHook,
                    StrictLoadHook, ValidateFirstHook)

__all__ = [
    'GroupedMultiOptimWrapperConstructor', 'GroupedOptimWrapperConstructor',
    'NonFiniteLossError', 'NonFiniteLossHook', 'PortableCheckpointHook',
    'ResultsTableHook', 'SaveSRHook', 'StrictLoadHook', 'ValidateFirstHook'
]
