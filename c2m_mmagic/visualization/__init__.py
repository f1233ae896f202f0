from .comparison import comparison_row, make_comparison
from .visualization_hook import RefSRVisualizationHook

__all__ = ['RefSRVisualizationHook', 'comparison_row', 'make_comparison']
