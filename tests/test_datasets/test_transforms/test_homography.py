"""RandomHomographyRef against OpenCV."""
import cv2
import numpy as np
import pytest
import torch

from c2m_mmagic.datasets.transforms import RandomHomographyRef
from helpers import real_pair
from numerics import assert_float32_close


@pytest.mark.numerics
def test_correspondence_equals_perspective_transform():
    gt, _ = real_pair((160, 160))
    t = RandomHomographyRef(lq_keys=('img', 'img_lq'), seed=3)
    out = t(dict(gt=gt.copy()))
    corr, hom = out['correspondence'], out['homography'].astype(np.float64)
    ys, xs = np.mgrid[0:160:7, 0:160:5]
    pts = np.stack((xs, ys), -1).reshape(-1, 1, 2).astype(np.float64)
    expected = cv2.perspectiveTransform(pts, hom).reshape(-1, 2)
    walk32 = cv2.perspectiveTransform(pts.astype(np.float32),
                                      hom.astype(np.float32)).reshape(-1, 2)
    assert_float32_close(
        torch.from_numpy(corr[ys, xs].reshape(-1, 2)),
        torch.from_numpy(expected), torch.from_numpy(walk32),
        what='correspondence')
    # the reference really shows input pixel p at H·p
    ref = out['ref'].astype(np.float64)
    inside = (expected[:, 0] > 2) & (expected[:, 0] < 157) & (
        expected[:, 1] > 2) & (expected[:, 1] < 157)
    qx = np.round(expected[inside, 0]).astype(int)
    qy = np.round(expected[inside, 1]).astype(int)
    src = gt[ys.reshape(-1)[inside], xs.reshape(-1)[inside]].astype(float)
    assert np.median(np.abs(ref[qy, qx] - src)) < 12
    assert out['img'].shape == (40, 40, 3) and out['img_lq'].shape == gt.shape


def test_draws_follow_the_release_ranges_and_seed():
    t = RandomHomographyRef(seed=0)
    rng = np.random.default_rng(0)
    seen_x0 = []
    for _ in range(300):
        corners, moved = t.draw_corners(160, rng)
        x0, y0 = corners[0]
        assert 10 <= x0 < 160 and 10 <= y0 < 160
        assert (corners[2] - corners[0]).tolist() == [160, 160]
        shift = moved - corners
        assert np.all(np.abs(shift) <= 9) and np.all(shift == np.round(shift))
        seen_x0.append(x0)
    assert min(seen_x0) < 20 and max(seen_x0) > 150
    # with a seed, an image gets the same homography every time, another
    # image another one
    seeded = RandomHomographyRef(seed=5)

    def draw(name):
        return seeded(dict(gt=np.zeros((160, 160, 3), np.uint8),
                           gt_path=name))['homography']

    first = draw('a.png')
    draw('b.png')
    np.testing.assert_array_equal(draw('a.png'), first)
    assert not np.array_equal(draw('b.png'), first)
    assert 'seed=5' in repr(RandomHomographyRef(seed=5))
