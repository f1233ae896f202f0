from .hooks import (NonFiniteLossError, NonFiniteLossHook,
                    PortableCheckpointHook, ResultsTableHook, SaveSRHook,
                    StrictLoadHook, ValidateFirstHook)

__all__ = [
    'NonFiniteLossError', 'NonFiniteLossHook', 'PortableCheckpointHook',
    'ResultsTableHook', 'SaveSRHook', 'StrictLoadHook', 'ValidateFirstHook'
]
