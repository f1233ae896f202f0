"""The hierarchical matching: exact where its windows cover the true best
(against the float64 oracle), a coarse near-tie resolved by k > 1, several
references' mask, odd sizes, and the exact search below its size
threshold."""
import pytest
import torch

from c2m_mmagic.models.editors.c2matching.patch_matching import (
    brute_force_match, l2_normalize_channels, match_patches,
    match_patches_hierarchical)
from c2m_mmagic.models.editors.c2matching.reference_mosaic import (
    mosaic_layout, place, valid_patches)

EVERYWHERE = dict(candidates=10**6, margin=8, exact_below=0)


def features(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return l2_normalize_channels(torch.randn(*shape, generator=g))


@pytest.mark.parametrize('in_size,ref_size', [((29, 43), (37, 23)),
                                              ((16, 17), (13, 30))])
def test_windows_over_every_candidate_give_the_float64_search(in_size,
                                                              ref_size):
    """Odd sizes, groups cut by the edges: with every coarse candidate and
    wide windows, the two steps find exactly the oracle's patch."""
    feat_in = features(2, 8, *in_size)
    feat_ref = features(2, 8, *ref_size, seed=1)
    index, score = match_patches_hierarchical(feat_in, feat_ref,
                                              chunk_elements=2**14,
                                              **EVERYWHERE)
    assert index.shape == (2, in_size[0] - 2, in_size[1] - 2)
    assert torch.equal(index, brute_force_match(feat_in, feat_ref))
    _, exact_score = match_patches(feat_in, feat_ref)
    torch.testing.assert_close(score, exact_score, rtol=1e-5, atol=1e-5)


def test_a_coarse_near_tie_needs_more_than_one_candidate():
    """A noisy copy of the input (the best coarse patch) beside other
    content holding the input's 3x3 patch at (4, 4) exactly (the second
    coarse patch): one coarse candidate misses that patch, two find it."""
    g = torch.Generator().manual_seed(3)
    raw = torch.randn(1, 8, 12, 12, generator=g)
    twin = raw + 0.35 * torch.randn(1, 8, 12, 12, generator=g)
    other = torch.randn(1, 8, 12, 12, generator=g)
    other[..., 4:7, 4:7] = raw[..., 4:7, 4:7]
    feat_in = l2_normalize_channels(raw)
    feat_ref = l2_normalize_channels(torch.cat([twin, other], -1))
    truth = brute_force_match(feat_in, feat_ref)
    assert int(truth[0, 4, 4]) == 4 * 22 + 16  # the exact copy
    one, _ = match_patches_hierarchical(feat_in, feat_ref, candidates=1,
                                        exact_below=0)
    two, _ = match_patches_hierarchical(feat_in, feat_ref, candidates=2,
                                        exact_below=0)
    assert int(one[0, 4, 4]) != int(truth[0, 4, 4])
    assert torch.equal(two, truth)


def test_several_references_keep_to_their_patches():
    feat_in = features(1, 8, 20, 26)
    parts = [features(1, 8, 14, 16, seed=2), features(1, 8, 18, 12, seed=3)]
    sizes = [p.shape[-2:] for p in parts]
    layout = mosaic_layout(sizes, 2)
    canvas = place(parts, layout, 1)
    valid = valid_patches(sizes, layout, 1, canvas.device)
    exact, _ = match_patches(feat_in, canvas, ref_valid=valid)
    everywhere, _ = match_patches_hierarchical(feat_in, canvas,
                                               ref_valid=valid, **EVERYWHERE)
    assert torch.equal(everywhere, exact)
    default, _ = match_patches_hierarchical(feat_in, canvas, ref_valid=valid,
                                            exact_below=0)
    assert bool(valid.flatten(1)[0, default.flatten()].all())


def test_small_pairs_take_the_exact_search():
    feat_in, feat_ref = features(1, 8, 12, 14), features(1, 8, 15, 11, seed=4)
    assert torch.equal(match_patches_hierarchical(feat_in, feat_ref)[0],
                       match_patches(feat_in, feat_ref)[0])
