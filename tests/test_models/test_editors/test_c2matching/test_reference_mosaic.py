"""Several references as one search space: layout, and matching over the
mosaic equals the best of the matches in each reference."""
import numpy as np
import torch

from c2m_mmagic.models.editors.c2matching.patch_matching import (
    l2_normalize_channels, match_patches)
from c2m_mmagic.models.editors.c2matching.reference_mosaic import (
    mosaic_layout, place, valid_patches)


def test_layout_and_placement():
    layout = mosaic_layout([(5, 7), (9, 4), (3, 6)], gap=2)
    assert layout == ([0, 9, 15], 9, 21)
    # maps at twice the layout's resolution (e.g. relu2_1)
    maps = [torch.full((1, 2, 2 * h, 2 * w), float(k + 1))
            for k, (h, w) in enumerate([(5, 7), (9, 4), (3, 6)])]
    canvas = place(maps, layout, scale=2)
    assert canvas.shape == (1, 2, 18, 42)
    assert (canvas[..., :10, 0:14] == 1).all()
    assert (canvas[..., :18, 18:26] == 2).all()
    assert (canvas[..., :6, 30:42] == 3).all()
    assert canvas[..., 10:, 0:14].abs().sum() == 0  # below the first map
    assert canvas[..., 14:18].abs().sum() == 0  # the gap
    valid = valid_patches([(5, 7), (9, 4), (3, 6)], layout, 1, 'cpu')[0]
    assert valid.shape == (7, 19)
    expected = np.zeros((7, 19), bool)
    expected[:3, 0:5] = expected[:7, 9:11] = expected[:1, 15:19] = True
    np.testing.assert_array_equal(valid.numpy(), expected)


def test_mosaic_match_is_the_best_reference_match():
    """Per input patch: the highest score over all references, in the
    reference where it lies; the earlier reference on ties (copies)."""
    g = torch.Generator().manual_seed(0)
    feat_in = l2_normalize_channels(torch.randn(1, 8, 6, 7, generator=g))
    refs = [l2_normalize_channels(torch.randn(1, 8, h, w, generator=g))
            for h, w in ((5, 6), (7, 4), (5, 6))]
    refs[2] = refs[0].clone()  # a copy of the first
    layout = mosaic_layout([r.shape[-2:] for r in refs], gap=3)
    canvas = place(refs, layout, 1)
    valid = valid_patches([r.shape[-2:] for r in refs], layout, 1, 'cpu')
    index, score = match_patches(feat_in, canvas, ref_valid=valid)
    width = layout.width - 2
    singles = [match_patches(feat_in, r) for r in refs]
    for y in range(index.shape[1]):
        for x in range(index.shape[2]):
            scores = [float(s[0, y, x]) for _, s in singles]
            best = int(np.argmax(scores))  # first maximum: earlier reference
            assert best != 2  # the copy never wins over the original
            ry, rx = divmod(int(singles[best][0][0, y, x]),
                            refs[best].shape[-1] - 2)
            assert divmod(int(index[0, y, x]), width) == (
                ry, rx + layout.offsets[best])
            assert np.isclose(float(score[0, y, x]), scores[best],
                              rtol=1e-6)
