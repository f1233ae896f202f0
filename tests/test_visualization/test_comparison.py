"""Comparison panels: layout and Y-PSNR captions."""
import numpy as np
import pytest
from PIL import Image

from c2m_mmagic.evaluation import y_psnr
from c2m_mmagic.visualization import make_comparison
from c2m_mmagic.visualization.comparison import CAPTION_HEIGHT
from helpers import real_pair, y_metrics64


@pytest.mark.numerics
def test_y_psnr_equals_float64_formula():
    gt, other = real_pair((48, 64))
    assert y_psnr(other, gt) == pytest.approx(y_metrics64(other, gt)[0],
                                              abs=1e-5)


def test_panels_sit_side_by_side_unchanged_under_captions():
    gt, ref = real_pair((48, 64))
    bicubic = np.asarray(Image.fromarray(gt).resize((16, 12)).resize((64, 48)))
    sr = gt // 2
    tall_ref = np.asarray(Image.fromarray(ref).resize((32, 96)))
    panel = make_comparison(bicubic, sr, tall_ref, gt, gap=4)
    # reference shown at the output's height: 96 -> 48 rows, 32 -> 16 cols
    assert panel.shape == (48 + CAPTION_HEIGHT, 64 * 3 + 16 + 3 * 4, 3)
    np.testing.assert_array_equal(panel[CAPTION_HEIGHT:, :64], bicubic)
    np.testing.assert_array_equal(panel[CAPTION_HEIGHT:, 68:132], sr)
    np.testing.assert_array_equal(panel[CAPTION_HEIGHT:, -64:], gt)
    assert (panel[:CAPTION_HEIGHT, 64:68] == 255).all()  # gap
    without_gt = make_comparison(bicubic, sr, tall_ref)
    assert without_gt.shape[1] == 64 * 2 + 16 + 2 * 4
