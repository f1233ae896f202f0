"""Metrics of one image against its ground truth, as the benchmarks score
them (docs/method.md §6), for tools and pages outside a test loop."""
import numpy as np

from mmagic.evaluation.metrics import psnr, ssim


def y_psnr(img: np.ndarray, gt: np.ndarray, crop_border: int = 4) -> float:
    """PSNR on the BT.601 Y channel of two uint8 RGB images, a
    ``crop_border``-pixel border left out."""
    return float(
        psnr(img, gt, crop_border=crop_border, convert_to='Y',
             channel_order='rgb'))


def y_ssim(img: np.ndarray, gt: np.ndarray, crop_border: int = 4) -> float:
    """SSIM on the BT.601 Y channel of two uint8 RGB images, a
    ``crop_border``-pixel border left out."""
    return float(
        ssim(img, gt, crop_border=crop_border, convert_to='Y',
             channel_order='rgb'))
