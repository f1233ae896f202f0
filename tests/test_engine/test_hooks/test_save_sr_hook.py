"""SaveSRHook: every output as <input stem>.png, exactly what was scored."""
import os

import numpy as np
from PIL import Image

from c2m_mmagic.engine import SaveSRHook
from helpers import fake_test_runner, predicted_sample, real_pair


def test_outputs_are_written_by_input_stem_per_data_set(tmp_path):
    gt, sr = real_pair((16, 20))
    out = tmp_path / 'sr'
    runner = fake_test_runner(str(tmp_path), [object()])
    hook = SaveSRHook(str(out))
    hook.after_test_iter(runner, 0, None, [
        predicted_sample(gt, sr, gt, '/data/CUFED5/004_0.png'),
        predicted_sample(gt, gt, gt, '/data/CUFED5/007_0.png')])
    np.testing.assert_array_equal(np.asarray(Image.open(out / '004_0.png')),
                                  sr)
    np.testing.assert_array_equal(np.asarray(Image.open(out / '007_0.png')),
                                  gt)
    # several data sets in one test: one folder each, by metric prefix
    from mmagic.evaluation import PSNR
    runner = fake_test_runner(str(tmp_path), [
        type('E', (), dict(metrics=[PSNR(prefix=name)]))()
        for name in ('CUFED5-L1', 'CUFED5-L2')])
    hook = SaveSRHook(str(tmp_path / 'levels'))
    for evaluator in runner.test_loop.evaluators:
        runner.test_loop.evaluator = evaluator
        hook.after_test_iter(runner, 0, None,
                             [predicted_sample(gt, sr, gt, '/d/004_0.png')])
    assert sorted(os.listdir(tmp_path / 'levels')) == ['CUFED5-L1',
                                                       'CUFED5-L2']
    assert os.listdir(tmp_path / 'levels' / 'CUFED5-L2') == ['004_0.png']
