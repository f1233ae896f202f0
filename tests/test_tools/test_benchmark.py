"""tools/benchmark.py: the reference yardstick computes the same thing."""
import json
import subprocess
import sys

import pytest
import torch

from c2m_mmagic.benchmarks.speed import benchmark_model
from c2m_mmagic.models.editors.c2matching.correspondence import (
    CorrespondenceGenerator)
from c2m_mmagic.models.editors.c2matching.patch_matching import (
    l2_normalize_channels, match_patches, release_match)
from helpers import REPO


@pytest.mark.numerics
def test_release_matching_equals_fast_matching():
    feat_in = l2_normalize_channels(torch.randn(2, 32, 11, 14))
    feat_ref = l2_normalize_channels(torch.randn(2, 32, 9, 17))
    fast, fast_score = match_patches(feat_in, feat_ref)
    release, release_score = release_match(feat_in, feat_ref)
    assert torch.equal(release, fast)
    torch.testing.assert_close(release_score, fast_score)
    gen = CorrespondenceGenerator()
    ref_out = gen(feat_in, feat_ref, matching='release')
    fast_out = gen(feat_in, feat_ref, matching='pixel')
    for name in fast_out:
        assert torch.equal(ref_out[name], fast_out[name])


def test_the_reference_is_built_with_torchvision_deform_conv():
    """The yardstick's model is configured, not patched: its aggregations
    run torchvision's DCNv2 and its test_cfg the release's matching."""
    for impl, expected, matching in (('reference', 'torchvision', 'release'),
                                     ('fast', 'auto', 'auto')):
        model, _ = benchmark_model(
            impl, torch.device('cpu'), blocks=1,
            test_cfg=dict(matching='release' if impl == 'reference' else
                          'auto'))
        assert {m.deform_conv for m in model.generator.modules()
                if hasattr(m, 'conv_offset_mask')} == {expected}
        assert model.test_settings.matching == matching


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
