from .comparison import make_comparison, y_psnr
from .visualization_hook import RefSRVisualizationHook

__all__ = ['RefSRVisualizationHook', 'make_comparison', 'y_psnr']
