from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .results_table_hook import ResultsTableHook, metrics_table, to_markdown

__all__ = [
    'NonFiniteLossError', 'NonFiniteLossHook', 'ResultsTableHook',
    'metrics_table', 'to_markdown'
]
