"""StackReferences: one or several references as one array."""
import numpy as np

from c2m_mmagic.datasets.transforms import StackReferences


def test_references_are_mod_cropped_padded_and_sized():
    rng = np.random.default_rng(0)
    refs = [rng.integers(1, 256, (h, w, 3), dtype=np.uint8)
            for h, w in ((10, 13), (17, 6))]
    out = StackReferences(scale=4)(dict(ref=refs))
    assert out['ref_sizes'] == [(8, 12), (16, 4)]
    assert [r.shape for r in out['ref']] == [(16, 12, 3)] * 2
    first = np.zeros((16, 12, 3), np.uint8)
    first[:8, :12] = refs[0][:8, :12]
    np.testing.assert_array_equal(out['ref'][0], first)
    assert not out['ref'][1][:, 4:].any()
    np.testing.assert_array_equal(out['ref'][1][:, :4], refs[1][:16, :4])


def test_one_reference_stays_one_image():
    img = np.ones((9, 9, 3), np.uint8)
    out = StackReferences()(dict(ref=img))
    assert out['ref_sizes'] == [(8, 8)] and len(out['ref']) == 1
    from mmagic.datasets.transforms import PackInputs
    packed = PackInputs(meta_keys=['ref_sizes'])(out)['data_samples']
    assert tuple(packed.ref_img.shape) == (3, 8, 8)
