"""ResultsTableHook: per data set and per image, beside bicubic, equal to
float64 Y-channel formulas."""
import csv
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.evaluator import Evaluator
from PIL import Image

from mmagic.evaluation import PSNR, SSIM
from c2m_mmagic.engine import ResultsTableHook
from helpers import (fake_test_runner, predicted_sample, real_pair,
                     y_metrics64)


def y_evaluator(prefix):
    return Evaluator([
        PSNR(crop_border=4, convert_to='Y', prefix=prefix),
        SSIM(crop_border=4, convert_to='Y', prefix=prefix)
    ])


def test_per_image_and_bicubic_values_equal_float64_formulas(tmp_path):
    rng = np.random.default_rng(0)
    gt, other = real_pair((48, 64))
    lr = np.asarray(Image.fromarray(gt).resize((16, 12), Image.BICUBIC))
    bicubic = np.asarray(Image.fromarray(lr).resize((64, 48), Image.BICUBIC))
    srs = [np.clip(gt.astype(int) + rng.integers(-9, 10, gt.shape), 0,
                   255).astype(np.uint8), other]
    runner = fake_test_runner(str(tmp_path), [y_evaluator('Demo'),
                                              y_evaluator('Other')],
                              ['demo', 'other'])
    hook = ResultsTableHook()
    hook.before_test_epoch(runner)
    hook.after_test_iter(runner, 0, None, [
        predicted_sample(gt, sr, bicubic, f'/x/{i:03d}_0.png', ref_path='/x/r.png')
        for i, sr in enumerate(srs)
    ])
    runner.test_loop.evaluator = runner.test_loop.evaluators[1]
    hook.after_test_iter(runner, 1, None,
                         [predicted_sample(gt, gt, bicubic, '/y/a.png')])
    expected = [y_metrics64(sr, gt) for sr in srs]
    model_means = np.mean(expected, axis=0)
    hook.after_test_epoch(runner, {'Demo/PSNR': model_means[0],
                                   'Demo/SSIM': model_means[1],
                                   'Other/PSNR': 99., 'Other/SSIM': 1.})
    rows = list(csv.DictReader(open(tmp_path / 'results.csv')))
    assert [(r['dataset'], r['input'], r['reference']) for r in rows] == [
        ('Demo', '000_0.png', 'r.png'), ('Demo', '001_0.png', 'r.png'),
        ('Other', 'a.png', '')]
    bic_psnr, bic_ssim = y_metrics64(bicubic, gt)
    for row, (psnr, ssim) in zip(rows, expected):
        assert float(row['PSNR']) == pytest.approx(psnr, abs=1e-5)
        assert float(row['SSIM']) == pytest.approx(ssim, abs=1e-4)
        assert float(row['bicubic PSNR']) == pytest.approx(bic_psnr, abs=1e-5)
        assert float(row['bicubic SSIM']) == pytest.approx(bic_ssim, abs=1e-4)
    table = json.load(open(tmp_path / 'results.json'))
    demo = table['results']['Demo']
    assert demo['images'] == 2
    assert demo['bicubic PSNR'] == pytest.approx(bic_psnr, abs=1e-5)
    assert demo['PSNR'] == pytest.approx(model_means[0])
    assert list(demo) == ['images', 'references', 'bicubic PSNR', 'PSNR',
                          'bicubic SSIM', 'SSIM']
    assert demo['references'] == 1
    assert len(table['images']) == 3
    markdown = open(tmp_path / 'results.md').read()
    assert '| Demo | 2 | ' in markdown and '| Other | 1 | ' in markdown


def test_bicubic_of_a_padded_input_is_cropped_to_the_ground_truth(tmp_path):
    gt, _ = real_pair((48, 64))
    padded = np.zeros((52, 64, 3), np.uint8)
    padded[:48] = gt
    runner = fake_test_runner(str(tmp_path), [y_evaluator('Demo')])
    hook = ResultsTableHook()
    hook.before_test_epoch(runner)
    hook.after_test_iter(runner, 0, None, [predicted_sample(gt, gt, padded, 'a')])
    hook.after_test_epoch(runner, {'Demo/PSNR': 1.})
    row = next(csv.DictReader(open(tmp_path / 'results.csv')))
    assert float(row['bicubic SSIM']) == pytest.approx(1.)
    assert osp.isfile(tmp_path / 'results.md')


def test_numpy_scalars_count_as_metrics():
    """With numpy 2 mmagic's PSNR is a numpy.float32, not a Python float."""
    from c2m_mmagic.evaluation import metrics_table
    table = metrics_table({'Demo/PSNR': np.float32(25.5), 'Demo/SSIM': 0.75,
                           'Demo/name': 'x', 'Demo/flag': True})
    assert table == {'Demo': {'PSNR': 25.5, 'SSIM': 0.75}}
