from .image_metrics import y_psnr, y_ssim
from .metrics import MatchingAccuracy
from .results_table import metrics_table, numeric_metrics, to_csv, to_markdown

__all__ = [
    'MatchingAccuracy', 'metrics_table', 'numeric_metrics', 'to_csv',
    'to_markdown', 'y_psnr', 'y_ssim'
]
