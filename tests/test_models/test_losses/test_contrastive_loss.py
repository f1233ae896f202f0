"""Stage-1/2 losses against loop-based float64 evaluations of docs/method.md §3-4
(the same loops in float32 give the bound, ``numerics``)."""
import math

import numpy as np
import pytest
import torch

from c2m_mmagic.datasets.transforms.homography import correspondence_map
from c2m_mmagic.models.editors.c2matching.point_geometry import kept_points
from c2m_mmagic.models.losses.contrastive_loss import (
    ContrastiveMarginLoss, CorrelationDistillationLoss)
from numerics import assert_float32_close


def known_homography(seed):
    """A small random perspective map, as the transform would draw."""
    import cv2
    rng = np.random.default_rng(seed)
    corners = np.float32([[20, 15], [120, 15], [120, 115], [20, 115]])
    moved = corners + rng.integers(-9, 10, size=(4, 2)).astype(np.float32)
    return np.linalg.inv(cv2.getPerspectiveTransform(corners, moved))


def reference_points(corr, h, w, size, border=10., scale=4):
    """Kept points and their rounded feature correspondences, by loops."""
    points = []
    for py in range(h):
        for px in range(w):
            x, y = corr[py * scale, px * scale]
            if border < x < size[1] - border and border < y < size[0] - border:
                qx = min(max(int(torch.round(torch.tensor(x / scale))), 0),
                         w - 1)
                qy = min(max(int(torch.round(torch.tensor(y / scale))), 0),
                         h - 1)
                points.append(((px, py), (qx, qy)))
    return points


def unit(v):
    return v / np.linalg.norm(v)


def margin_by_loops(f1, f2, points, m=1.0, t=4):
    """docs/method.md §3 for one sample, in the features' dtype."""
    d = lambda a, b: 2 - 2 * np.dot(unit(a), unit(b))  # noqa: E731
    c, h, w = f1.shape
    zero = f1.dtype.type(0)
    total = zero
    for (px, py), (qx, qy) in points:
        a, b = f1[:, py, px], f2[:, qy, qx]
        pos = d(a, b)
        neg1 = min([d(a, f2[:, ky, kx]) for _, (kx, ky) in points
                    if max(abs(kx - qx), abs(ky - qy)) > t] or [math.inf])
        neg2 = min(d(b, f1[:, ky, kx]) for ky in range(h) for kx in range(w)
                   if max(abs(kx - px), abs(ky - py)) > t)
        total += max(zero, m + pos - min(neg1, neg2))
    return total / len(points)


def kl_by_loops(s1, s2, t1, t2, points, tau=0.15):
    """docs/method.md §4 for one sample, in the features' dtype."""
    def corr(f1, f2):
        a = np.stack([unit(f1[:, py, px]) for (px, py), _ in points])
        b = np.stack([unit(f2[:, qy, qx]) for _, (qx, qy) in points])
        return a @ b.T / tau

    def log_softmax(x):
        x = x - x.max(1, keepdims=True)
        return x - np.log(np.exp(x).sum(1, keepdims=True))

    ls, lt = log_softmax(corr(s1, s2)), log_softmax(corr(t1, t2))
    return float((np.exp(lt) * (lt - ls)).sum() / len(points))


@pytest.fixture
def batch():
    size = (64, 64)
    h, w = 16, 16
    corrs = [correspondence_map(known_homography(s), *size) for s in (1, 2)]
    g = torch.Generator().manual_seed(0)
    feats = [torch.randn(2, 8, h, w, generator=g) for _ in range(4)]
    return size, (h, w), corrs, feats


def test_kept_points_rule(batch):
    size, (h, w), corrs, _ = batch
    kept = kept_points(torch.from_numpy(np.stack(corrs)), (h, w),
                       min_points=10)
    for b in range(2):
        expected = reference_points(corrs[b], h, w, size)
        got_idx = torch.nonzero(kept.mask[b]).flatten().tolist()
        assert [py * w + px for (px, py), _ in expected] == got_idx
        assert [q for _, q in expected] == [
            tuple(kept.ref_pos[b, i].tolist()) for i in got_idx]


def loops_in(dtype, by_loops, feats, corrs, h, w, size):
    """Mean over the batch of a loop evaluation in ``dtype``."""
    return np.mean([
        by_loops(*(f[b].to(dtype).numpy() for f in feats),
                 reference_points(corrs[b], h, w, size)) for b in range(2)
    ])


def test_margin_loss_equals_loops(batch):
    size, (h, w), corrs, feats = batch
    kept = kept_points(torch.from_numpy(np.stack(corrs)), (h, w),
                       min_points=10)
    loss = ContrastiveMarginLoss()(feats[0], feats[1], kept)
    args = (margin_by_loops, feats[:2], corrs, h, w, size)
    assert_float32_close(loss, loops_in(torch.float64, *args),
                         loops_in(torch.float32, *args), what='margin loss')


def test_kl_loss_equals_loops(batch):
    size, (h, w), corrs, feats = batch
    kept = kept_points(torch.from_numpy(np.stack(corrs)), (h, w),
                       min_points=10)
    loss = CorrelationDistillationLoss(loss_weight=1.)(*feats, kept)
    args = (kl_by_loops, feats, corrs, h, w, size)
    assert_float32_close(loss, loops_in(torch.float64, *args),
                         loops_in(torch.float32, *args), what='KL loss')
    assert CorrelationDistillationLoss()(*feats, kept) == pytest.approx(
        15 * float(loss), rel=1e-6)


@pytest.mark.parametrize('loss_type,by_loops,move', [
    (ContrastiveMarginLoss, margin_by_loops, 1e-3),
    (CorrelationDistillationLoss, kl_by_loops, 1e-2)])
def test_the_derived_bound_detects_a_perturbed_feature(batch, loss_type,
                                                       by_loops, move):
    """One descriptor of the (unit-variance) features moved by 1e-3 for the
    margin loss, 1e-2 for the KL loss, fails the bound (the loss moves by
    5-7x the bound)."""
    size, (h, w), corrs, feats = batch
    feats = feats[:2] if loss_type is ContrastiveMarginLoss else feats
    kept = kept_points(torch.from_numpy(np.stack(corrs)), (h, w),
                       min_points=10)
    args = (by_loops, feats, corrs, h, w, size)
    expected, walk32 = (loops_in(torch.float64, *args),
                        loops_in(torch.float32, *args))
    moved = [f.clone() for f in feats]
    moved[0][0, :, 5, 5] += move
    loss = loss_type(loss_weight=1.)(*moved, kept)
    with pytest.raises(AssertionError, match='derived bound'):
        assert_float32_close(loss, expected, walk32)


def test_samples_below_min_points_are_skipped(batch):
    size, (h, w), corrs, feats = batch
    corr = torch.from_numpy(np.stack(corrs)).clone()
    corr[1] = -100.  # sample 1: no valid correspondence
    kept = kept_points(corr, (h, w), min_points=10)
    assert kept.usable.tolist() == [True, False]
    both = ContrastiveMarginLoss()(feats[0], feats[1], kept)
    first = [
        margin_by_loops(feats[0][0].to(dtype).numpy(),
                        feats[1][0].to(dtype).numpy(),
                        reference_points(corrs[0], h, w, size))
        for dtype in (torch.float64, torch.float32)
    ]
    assert_float32_close(both, *first, what='margin loss of sample 0')
    corr[0] = -100.
    none = kept_points(corr, (h, w), min_points=10)
    assert ContrastiveMarginLoss()(feats[0], feats[1], none) is None
    assert CorrelationDistillationLoss()(*feats, none) is None
