"""Y-channel PSNR/SSIM (mmagic's metrics) against float64 formulas."""
import numpy as np
import pytest
import torch

from mmagic.evaluation import PSNR, SSIM
from helpers import bt601_y, psnr64, real_pair, ssim64


def metric_value(metric, gt_rgb, pred_rgb):
    """Runs an mmagic metric as the test loop does (BGR tensors, 0-255)."""
    def bgr(a):
        return torch.from_numpy(a[..., ::-1].copy()).permute(2, 0, 1).float()

    metric.process([], [dict(gt_img=bgr(gt_rgb), output=dict(
        pred_img=bgr(pred_rgb)))])
    return metric.compute_metrics(metric.results)[metric.metric]


@pytest.mark.numerics
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
