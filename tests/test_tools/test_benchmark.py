"""tools/benchmark.py: the reference yardstick computes the same thing."""
import importlib.util
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch

from c2m_mmagic.models.editors.c2matching.correspondence import (
    CorrespondenceGenerator)
from c2m_mmagic.models.editors.c2matching.patch_matching import (
    l2_normalize_channels, match_patches)
from helpers import REPO


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


def test_the_reference_is_built_with_torchvision_deform_conv():
    """The yardstick's model is configured, not patched: its aggregations
    run torchvision's DCNv2, the fast model's the default choice."""
    bench = load_benchmark()
    for impl, expected in (('reference', 'torchvision'), ('fast', 'auto')):
        model, _ = bench.build_model(impl, torch.device('cpu'), blocks=1)
        assert {m.deform_conv for m in model.generator.modules()
                if hasattr(m, 'conv_offset_mask')} == {expected}


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
