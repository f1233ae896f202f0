from .hooks import (NonFiniteLossError, NonFiniteLossHook,
                    PortableCheckpointHook, ResultsTableHook, SaveSRHook,
                    StrictLoadHook)

__all__ = [
    'NonFiniteLossError', 'NonFiniteLossHook', 'PortableCheckpointHook',
    'ResultsTableHook', 'SaveSRHook', 'StrictLoadHook'
]
