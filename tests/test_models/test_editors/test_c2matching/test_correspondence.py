"""Correspondence generation (docs/method.md §5.1) against direct
evaluations."""
import itertools

import numpy as np
import pytest
import torch

from c2m_mmagic.models.editors.c2matching.correspondence import (
    CorrespondenceGenerator, index_to_flow, shifted_offsets)
from c2m_mmagic.models.editors.c2matching.patch_matching import (
    brute_force_match, l2_normalize_channels, match_patches)


@pytest.mark.parametrize('in_size,ref_size,chunk', [((7, 9), (7, 9), 2**26),
                                                     ((6, 11), (9, 5), 7),
                                                     ((5, 5), (12, 10), 1)])
def test_matching_equals_float64_brute_force(in_size, ref_size, chunk):
    g = torch.Generator().manual_seed(sum(in_size) * 31 + sum(ref_size))
    feat_in = torch.randn(2, 8, *in_size, generator=g)
    feat_ref = torch.randn(2, 8, *ref_size, generator=g)
    index, _ = match_patches(
        l2_normalize_channels(feat_in), l2_normalize_channels(feat_ref),
        chunk_elements=chunk)
    assert index.shape == (2, in_size[0] - 2, in_size[1] - 2)
    expected = brute_force_match(l2_normalize_channels(feat_in.double()),
                                 l2_normalize_channels(feat_ref.double()))
    assert torch.equal(index, expected)


def test_ties_keep_the_earlier_reference_patch_across_chunks():
    # A reference made of one repeated patch: every patch scores the same.
    # One patch per chunk exercises the merge across chunks, one chunk the
    # argmax within a chunk (mixed chunkings may differ by an ulp, as GEMM
    # kernels of different shapes round differently).
    feat_ref = torch.ones(1, 4, 6, 6)
    feat_in = torch.rand(1, 4, 5, 5) + 0.1
    for chunk in (1, 2**20):
        index, _ = match_patches(
            l2_normalize_channels(feat_in), l2_normalize_channels(feat_ref),
            chunk_elements=chunk * 9)
        assert int(index.max()) == 0


def direct_offsets(index: np.ndarray, h: int, w: int, wr: int, scale: int):
    """docs/method.md §5.1 (flow, nine shifted copies) by the letter,
    element by element."""
    flow = np.zeros((h, w, 2))
    for y, x in itertools.product(range(h - 2), range(w - 2)):
        idx = index[y, x]
        flow[y, x] = (idx % (wr - 2) - x, idx // (wr - 2) - y)
    out = np.zeros((9, h * scale, w * scale, 2))
    for i, j in itertools.product(range(3), range(3)):
        for y, x in itertools.product(range(h * scale), range(w * scale)):
            sy, sx = y - scale * i, x - scale * j
            if sy >= 0 and sx >= 0:
                out[3 * i + j, y, x] = flow[sy // scale, sx // scale] * scale
    return out


def test_nine_shifted_offsets_at_three_scales_equal_direct_rules():
    g = torch.Generator().manual_seed(3)
    h, w, hr, wr = 6, 7, 8, 9
    index = torch.randint(0, (hr - 2) * (wr - 2), (2, h - 2, w - 2),
                          generator=g)
    flow = index_to_flow(index, wr, (h, w))
    for scale in (1, 2, 4):
        got = shifted_offsets(flow, scale)
        assert got.shape == (2, 9, h * scale, w * scale, 2)
        for b in range(2):
            np.testing.assert_array_equal(
                got[b].numpy(), direct_offsets(index[b].numpy(), h, w, wr,
                                               scale))


def test_generator_output_for_unequal_sizes():
    gen = CorrespondenceGenerator(chunk_elements=100)
    feat_in = torch.randn(2, 16, 6, 10)
    feat_ref = torch.randn(2, 16, 9, 7)
    out = gen(feat_in, feat_ref)
    assert out['relu3_1'].shape == (2, 9, 6, 10, 2)
    assert out['relu2_1'].shape == (2, 9, 12, 20, 2)
    assert out['relu1_1'].shape == (2, 9, 24, 40, 2)
    # every matched position lies inside the reference patch grid
    flow = out['relu3_1'][:, 0, :4, :8]
    ys, xs = torch.meshgrid(torch.arange(4), torch.arange(8), indexing='ij')
    assert ((flow[..., 0] + xs) >= 0).all() and ((flow[..., 0] + xs) < 5).all()
    assert ((flow[..., 1] + ys) >= 0).all() and ((flow[..., 1] + ys) < 7).all()


def test_identical_maps_match_themselves():
    feat = torch.randn(1, 32, 8, 8)
    out = CorrespondenceGenerator()(feat, feat.clone())
    assert out['relu3_1'].abs().max() == 0


def test_too_small_maps_are_refused_with_the_minimum_size():
    with pytest.raises(ValueError, match='at least 3x3'):
        CorrespondenceGenerator()(torch.randn(1, 4, 2, 5), torch.randn(1, 4, 5, 5))


def test_fast_matching_agrees_with_float64_on_real_features():
    """Issue 8's accuracy bar: >= 99.5% of positions equal to float64."""
    from c2m_mmagic.models.editors.c2matching.contras_extractor import \
        ContrasExtractor
    from helpers import real_pair
    gt, ref = real_pair((128, 160))
    to_t = lambda a: torch.from_numpy(a).permute(2, 0, 1)[None].float() / 255  # noqa: E731,E501
    with torch.no_grad():
        feat_in, feat_ref = ContrasExtractor()(to_t(gt), to_t(ref))
    fin = l2_normalize_channels(feat_in)
    fref = l2_normalize_channels(feat_ref)
    fast, _ = match_patches(fin, fref, chunk_elements=2**16)
    exact = brute_force_match(fin, fref)
    assert (fast == exact).double().mean() >= 0.995


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_matching_equals_float64_brute_force():
    """The batched matching on the GPU (fp32, no TF32) against float64."""
    torch.manual_seed(0)
    feat_in = l2_normalize_channels(torch.randn(2, 32, 13, 17))
    feat_ref = l2_normalize_channels(torch.randn(2, 32, 11, 19))
    index, _ = match_patches(feat_in.cuda(), feat_ref.cuda(),
                             chunk_elements=4096)
    assert torch.equal(index.cpu(), brute_force_match(feat_in, feat_ref))
