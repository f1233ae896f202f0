from .checkpoint_hooks import PortableCheckpointHook, StrictLoadHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .results_table_hook import ResultsTableHook, metrics_table, to_markdown
from .save_sr_hook import SaveSRHook

__all__ = [
    'NonFiniteLossError', 'NonFiniteLossHook', 'PortableCheckpointHook',
    'ResultsTableHook', 'SaveSRHook', 'StrictLoadHook', 'metrics_table',
    'to_markdown'
]
