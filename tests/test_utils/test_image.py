"""Zero-padding to a size, for arrays and tensors alike; the ×4 bicubic
input of a ground truth; tensors of RGB arrays."""
import numpy as np
import torch

from c2m_mmagic.utils import (bicubic_input, pad_to, pad_to_common_size,
                              rgb_to_tensor)


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


def test_bicubic_input_crops_to_the_scale_and_keeps_flat_colour():
    """A flat colour stays that colour through the shrink and back; sizes
    are cropped to multiples of 4 from the bottom right."""
    gt = np.empty((50, 43, 3), np.uint8)
    gt[...] = (200, 17, 90)
    gt[48:], gt[:, 40:] = 0, 255  # the rows and columns cropped away
    cropped, lr, up = bicubic_input(gt)
    assert cropped.shape == (48, 40, 3) and lr.shape == (12, 10, 3)
    assert up.shape == cropped.shape and up.dtype == lr.dtype == np.uint8
    assert (cropped == gt[:48, :40]).all()
    assert (lr == (200, 17, 90)).all() and (up == (200, 17, 90)).all()


def test_rgb_to_tensor_is_the_array_over_255():
    img = np.random.default_rng(0).integers(0, 256, (5, 7, 3), np.uint8)
    t = rgb_to_tensor(img[:, ::-1])  # also from a non-contiguous view
    assert t.shape == (1, 3, 5, 7) and t.dtype == torch.float32
    expected = img[:, ::-1].astype(np.float64).transpose(2, 0, 1) / 255
    assert np.abs(t[0].double().numpy() - expected).max() < 1e-7
