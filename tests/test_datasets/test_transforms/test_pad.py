"""PadToCommonSize: the release's zero padding of unequal test pairs."""
import numpy as np
import pytest

from c2m_mmagic.datasets.transforms import PadToCommonSize


def test_pads_bottom_right_with_zeros_to_the_common_size():
    rng = np.random.default_rng(0)
    gt = rng.integers(1, 256, (8, 12, 3), dtype=np.uint8)
    ref = rng.integers(1, 256, (10, 4, 3), dtype=np.uint8)
    out = PadToCommonSize(keys=['gt', 'ref'],
                          output_keys=['gt_padded', 'ref'])(
                              dict(gt=gt, ref=ref))
    expected_gt = np.zeros((10, 12, 3), np.uint8)
    expected_gt[:8, :12] = gt
    expected_ref = np.zeros((10, 12, 3), np.uint8)
    expected_ref[:10, :4] = ref
    np.testing.assert_array_equal(out['gt_padded'], expected_gt)
    np.testing.assert_array_equal(out['ref'], expected_ref)
    assert out['gt'] is gt and out['unpadded_size'] == (8, 12)


def test_equal_sizes_pass_through():
    img = np.ones((8, 8, 3), np.uint8)
    out = PadToCommonSize()(dict(gt=img, ref=img * 2))
    assert out['gt'] is img and out['unpadded_size'] == (8, 8)
    np.testing.assert_array_equal(out['ref'], img * 2)


def test_output_keys_must_match_keys():
    with pytest.raises(ValueError, match='one key per key'):
        PadToCommonSize(keys=['gt', 'ref'], output_keys=['x'])
