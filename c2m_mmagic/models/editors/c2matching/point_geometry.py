"""Feature positions and their correspondences (docs/method.md §3): which points a
sample keeps, their descriptors, and distances between positions.

Shared by the contrastive stage models (matching accuracy) and their losses.
"""
from typing import NamedTuple

import torch
import torch.nn.functional as F


class KeptPoints(NamedTuple):
    """Feature positions with a valid correspondence.

    Attributes:
        mask (Tensor): (B, P) bool, P = h*w feature positions, row-major.
        ref_pos (Tensor): (B, P, 2) long, (x, y) feature position of each
            point's correspondence (meaningful where ``mask``).
        usable (Tensor): (B,) bool, samples with at least ``min_points``.
    """
    mask: torch.Tensor
    ref_pos: torch.Tensor
    usable: torch.Tensor


def kept_points(correspondence: torch.Tensor,
                feat_size,
                scale: int = 4,
                border: float = 10.,
                min_points: int = 128) -> KeptPoints:
    """Selects the feature positions whose correspondence is well inside.

    Feature position p stands for image pixel ``scale * p``; its
    correspondence p' is ``correspondence[scale*py, scale*px]``. p is kept if
    border < x' < W - border and border < y' < H - border; the feature
    position of p' is round(p' / scale).

    Args:
        correspondence (Tensor): (B, H, W, 2) image-pixel positions (x, y) in
            the reference of every input pixel.
        feat_size (tuple[int]): (h, w) of the feature maps.
        scale (int): Image pixels per feature pixel.
        border (float): Margin in image pixels.
        min_points (int): Fewest kept points for a usable sample.

    Returns:
        KeptPoints: mask, reference positions and usable samples.
    """
    b, height, width, _ = correspondence.shape
    h, w = feat_size
    ys = torch.arange(h, device=correspondence.device) * scale
    xs = torch.arange(w, device=correspondence.device) * scale
    corr = correspondence[:, ys][:, :, xs].reshape(b, h * w, 2)
    x, y = corr[..., 0], corr[..., 1]
    mask = (x > border) & (x < width - border) & (y > border) & (
        y < height - border)
    ref_pos = torch.round(corr / scale).long()
    ref_pos[..., 0].clamp_(0, w - 1)
    ref_pos[..., 1].clamp_(0, h - 1)
    usable = mask.sum(dim=1) >= min_points
    return KeptPoints(mask, ref_pos, usable)


def descriptors(feat: torch.Tensor) -> torch.Tensor:
    """(B, C, h, w) -> L2-normalised (B, h*w, C)."""
    return F.normalize(feat.flatten(2), dim=1).transpose(1, 2)


def gather_positions(desc: torch.Tensor, pos: torch.Tensor,
                     width: int) -> torch.Tensor:
    """Descriptors (B, P, C) at feature positions (B, N, 2) (x, y)."""
    index = pos[..., 1] * width + pos[..., 0]
    return torch.gather(desc, 1, index.unsqueeze(-1).expand(-1, -1,
                                                            desc.shape[-1]))


def grid_positions(h: int, w: int, device) -> torch.Tensor:
    """(h*w, 2) (x, y) of every feature position, row-major."""
    ys, xs = torch.meshgrid(
        torch.arange(h, device=device), torch.arange(w, device=device),
        indexing='ij')
    return torch.stack((xs.flatten(), ys.flatten()), dim=-1)


def chebyshev(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pairwise L∞ distance of positions (..., N, 2) and (..., M, 2)."""
    return (a.unsqueeze(-2) - b.unsqueeze(-3)).abs().amax(dim=-1)
