"""Zero-padding to a size, for arrays and tensors alike."""
import numpy as np
import torch

from c2m_mmagic.utils import pad_to, pad_to_common_size


def test_pad_to_pads_bottom_right_with_zeros_and_never_crops():
    img = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) + 1
    out = pad_to(img, 4, 5)
    assert out.shape == (4, 5, 3) and out.dtype == np.uint8
    assert (out[:2, :3] == img).all() and not out[2:].any() \
        and not out[:, 3:].any()
    assert pad_to(img, 1, 1) is img
    t = torch.ones(2, 7, 2, 3)
    padded = pad_to(t, 3, 3)
    assert padded.shape == (2, 7, 3, 3) and float(padded.sum()) == 2 * 7 * 6
    assert pad_to(t, 2, 3) is t


def test_common_size_is_the_largest_height_and_width():
    images = [np.ones((4, 2, 3)), np.ones((2, 6, 3))]
    padded, size = pad_to_common_size(images)
    assert size == (4, 6)
    assert all(p.shape == (4, 6, 3) for p in padded)
    assert padded[0][:4, :2].all() and not padded[0][:, 2:].any()
