"""Y-channel PSNR/SSIM (mmagic's metrics) against float64 formulas."""
import numpy as np
import torch
from scipy.ndimage import correlate1d

from mmagic.evaluation import PSNR, SSIM
from helpers import real_pair


def bt601_y(rgb: np.ndarray) -> np.ndarray:
    """MATLAB rgb2ycbcr luma of uint8 RGB, float64 in [16, 235]."""
    rgb = rgb.astype(np.float64) / 255.
    return 16. + 65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + \
        24.966 * rgb[..., 2]


def psnr64(a, b):
    mse = np.mean((a - b)**2)
    return 10 * np.log10(255.**2 / mse)


def ssim64(a, b):
    """Wang et al. 2004: 11x11 Gaussian window (σ = 1.5), valid region."""
    x = np.arange(11) - 5
    g = np.exp(-x**2 / (2 * 1.5**2))
    g /= g.sum()

    def filt(img):
        out = correlate1d(img, g, axis=0, mode='constant')
        out = correlate1d(out, g, axis=1, mode='constant')
        return out[5:-5, 5:-5]

    c1, c2 = (0.01 * 255)**2, (0.03 * 255)**2
    mu_a, mu_b = filt(a), filt(b)
    var_a = filt(a * a) - mu_a**2
    var_b = filt(b * b) - mu_b**2
    cov = filt(a * b) - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / (
        (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return ssim_map.mean()


def metric_value(metric, gt_rgb, pred_rgb):
    """Runs an mmagic metric as the test loop does (BGR tensors, 0-255)."""
    def bgr(a):
        return torch.from_numpy(a[..., ::-1].copy()).permute(2, 0, 1).float()

    metric.process([], [dict(gt_img=bgr(gt_rgb), output=dict(
        pred_img=bgr(pred_rgb)))])
    return metric.compute_metrics(metric.results)[metric.metric]


def test_y_psnr_ssim_equal_float64_formulas():
    gt, other = real_pair((64, 80))
    rng = np.random.default_rng(0)
    noisy = np.clip(gt.astype(int) + rng.integers(-20, 21, gt.shape), 0,
                    255).astype(np.uint8)
    for pred in (noisy, other):
        y_gt, y_pred = bt601_y(gt)[4:-4, 4:-4], bt601_y(pred)[4:-4, 4:-4]
        psnr = metric_value(PSNR(crop_border=4, convert_to='Y'), gt, pred)
        ssim = metric_value(SSIM(crop_border=4, convert_to='Y'), gt, pred)
        assert psnr == np.float64(psnr64(y_gt, y_pred)).round(6) or abs(
            psnr - psnr64(y_gt, y_pred)) < 1e-3
        assert abs(ssim - ssim64(y_gt, y_pred)) < 1e-4
