from .checkpoint_hooks import PortableCheckpointHook, StrictLoadHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .results_table_hook import ResultsTableHook
from .save_sr_hook import SaveSRHook
from .validate_first_hook import ValidateFirstHook

__all__ = [
    'NonFiniteLossError', 'NonFiniteLossHook', 'PortableCheckpointHook',
    'ResultsTableHook', 'SaveSRHook', 'StrictLoadHook', 'ValidateFirstHook'
]
