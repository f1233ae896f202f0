from .results_table_hook import ResultsTableHook, metrics_table, to_markdown

__all__ = ['ResultsTableHook', 'metrics_table', 'to_markdown']
