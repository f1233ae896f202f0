"""RefSRVisualizationHook: one panel per test image, named by its pair."""
import os

import numpy as np
from PIL import Image

from c2m_mmagic.visualization import RefSRVisualizationHook, make_comparison
from helpers import fake_test_runner, predicted_sample, real_pair


def test_panels_are_the_comparison_of_each_prediction(tmp_path):
    gt, ref = real_pair((32, 48))
    lq = np.asarray(Image.fromarray(gt).resize((12, 8)).resize((48, 32)))
    sr = gt // 3 + 10
    runner = fake_test_runner(str(tmp_path), [object()])
    hook = RefSRVisualizationHook(max_images=2, progress=False)
    hook.before_test_epoch(runner)
    samples = [predicted_sample(gt, sr, lq, f'/d/{i:03d}_0.png', ref,
                                f'/d/{i:03d}_1.png') for i in range(3)]
    hook.after_test_iter(runner, 0, None, samples)
    folder = tmp_path / 'comparisons'
    assert sorted(os.listdir(folder)) == ['000_0__000_1.png',
                                          '001_0__001_1.png']
    np.testing.assert_array_equal(
        np.asarray(Image.open(folder / '000_0__000_1.png')),
        make_comparison(lq, sr, ref, gt))
