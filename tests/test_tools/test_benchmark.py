"""tools/benchmark.py: the reference yardstick computes the same thing."""
import importlib.util
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch

from c2m_mmagic.models.editors.c2matching.correspondence import (
    CorrespondenceGenerator, l2_normalize_channels, match_patches)
from helpers import REPO
from numerics import assert_float32_close


def load_benchmark():
    spec = importlib.util.spec_from_file_location(
        'c2m_benchmark', osp.join(REPO, 'tools', 'benchmark.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.numerics
def test_reference_matching_equals_fast_matching():
    bench = load_benchmark()
    feat_in = l2_normalize_channels(torch.randn(2, 32, 11, 14))
    feat_ref = l2_normalize_channels(torch.randn(2, 32, 9, 17))
    fast, _ = match_patches(feat_in, feat_ref)
    assert torch.equal(bench.reference_match(feat_in, feat_ref), fast)
    ref_out = bench.ReferenceCorrespondence()(feat_in, feat_ref)
    fast_out = CorrespondenceGenerator()(feat_in, feat_ref)
    for name in fast_out:
        assert torch.equal(ref_out[name], fast_out[name])


@pytest.mark.numerics
def test_torchvision_dcn_wrapper_equals_mmcv():
    """The yardstick's deformable conv (torchvision's op behind mmcv's
    signature) and mmcv's: within the derived bound of float64."""
    from mmcv.ops import modulated_deform_conv2d
    bench = load_benchmark()
    g = torch.Generator().manual_seed(0)
    tensors = (torch.randn(1, 16, 7, 8, generator=g),
               torch.randn(1, 2 * 2 * 9, 7, 8, generator=g),
               torch.rand(1, 2 * 9, 7, 8, generator=g),
               torch.randn(16, 16, 3, 3, generator=g),
               torch.randn(16, generator=g))
    args, args64 = (tensors + (1, 1, 1, 1, 2), tuple(
        t.double() for t in tensors) + (1, 1, 1, 1, 2))
    expected = modulated_deform_conv2d(*args64)
    assert_float32_close(bench.torchvision_mdcn(*args), expected,
                         modulated_deform_conv2d(*args),
                         what='torchvision_mdcn')
    torch.testing.assert_close(bench.torchvision_mdcn(*args64), expected,
                               rtol=1e-10, atol=1e-10)


def test_benchmark_cli_writes_json(tmp_path):
    out = str(tmp_path / 'bench.json')
    proc = subprocess.run(
        [sys.executable, 'tools/benchmark.py', '--what', 'matching',
         'inference', '--size', '48x64', '--blocks', '1', '--repeat', '1',
         '--warmup', '0', '--json', out],
        capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.load(open(out))['results']
    assert {(r['what'], r['impl']) for r in rows} == {
        ('matching', 'fast'), ('matching', 'reference'),
        ('inference', 'fast'), ('inference', 'reference')}
    assert all(r['median_ms'] > 0 for r in rows)
