"""Losses of the contrastive correspondence stages (spec §3 and §4).

Both take L2-normalised descriptors and the kept points of
:func:`kept_points`; they are vectorised over the batch by padding every
sample to all h×w positions and masking.
"""
from typing import NamedTuple, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmagic.registry import MODELS


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


def masked_sample_mean(values: torch.Tensor, mask: torch.Tensor,
                       usable: torch.Tensor) -> Optional[torch.Tensor]:
    """Mean over kept points per sample, then over usable samples."""
    if not bool(usable.any()):
        return None
    per_sample = (values * mask).sum(1) / mask.sum(1).clamp(min=1)
    return per_sample[usable].mean()


@MODELS.register_module()
class ContrastiveMarginLoss(nn.Module):
    """Triplet margin loss of the contrastive correspondence network (§3).

    L = mean_p max(0, m + Pos(p) - Neg(p)) with d(a, b) = 2 - 2 a·b,
    Pos(p) = d(f1[p], f2[p']) and Neg(p) the smaller of
    min over the kept points' correspondences k' with |k' - p'|∞ > T of
    d(f1[p], f2[k']), and min over all positions k of f1 with |k - p|∞ > T
    of d(f2[p'], f1[k]). Averaged over the usable samples.

    Args:
        margin (float): m. Default: 1.0.
        safe_radius (int): T in feature pixels. Default: 4.
        loss_weight (float): Default: 1.0.
    """

    def __init__(self,
                 margin: float = 1.0,
                 safe_radius: int = 4,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.margin = margin
        self.safe_radius = safe_radius
        self.loss_weight = loss_weight

    def forward(self, feat1: torch.Tensor, feat2: torch.Tensor,
                kept: KeptPoints) -> Optional[torch.Tensor]:
        """Args:
            feat1 (Tensor): (B, C, h, w) features of the input.
            feat2 (Tensor): (B, C, h, w) features of the reference.
            kept (KeptPoints): From :func:`kept_points`.

        Returns:
            Tensor | None: Scalar loss, None when no sample is usable.
        """
        h, w = feat1.shape[-2:]
        d1 = descriptors(feat1)  # (B, P, C)
        d2 = descriptors(feat2)
        d2_corr = gather_positions(d2, kept.ref_pos, w)  # (B, P, C)
        pos = 2 - 2 * (d1 * d2_corr).sum(-1)

        far_ref = chebyshev(kept.ref_pos, kept.ref_pos) > self.safe_radius
        far_ref = far_ref & kept.mask.unsqueeze(1)
        dist_ref = 2 - 2 * d1 @ d2_corr.transpose(1, 2)
        neg_ref = dist_ref.masked_fill(~far_ref, float('inf')).amin(-1)

        grid = grid_positions(h, w, feat1.device)
        far_in = chebyshev(grid, grid) > self.safe_radius  # (P, P)
        dist_in = 2 - 2 * d2_corr @ d1.transpose(1, 2)
        neg_in = dist_in.masked_fill(~far_in, float('inf')).amin(-1)

        neg = torch.minimum(neg_ref, neg_in)
        per_point = F.relu(self.margin + pos - neg)
        loss = masked_sample_mean(per_point, kept.mask, kept.usable)
        return None if loss is None else loss * self.loss_weight


@MODELS.register_module()
class CorrelationDistillationLoss(nn.Module):
    """KL distillation of the teacher's correlation into the student (§4).

    Over the N kept points of a sample, S = d1_s d2_sᵀ / τ (student
    descriptors at the points and at their correspondences) and T likewise
    from the teacher; L = Σ_rows KL(softmax(T) ‖ softmax(S)) / N, averaged
    over the usable samples.

    Args:
        temperature (float): τ. Default: 0.15.
        loss_weight (float): α_kl. Default: 15.
    """

    def __init__(self,
                 temperature: float = 0.15,
                 loss_weight: float = 15.) -> None:
        super().__init__()
        self.temperature = temperature
        self.loss_weight = loss_weight

    def correlation(self, feat1: torch.Tensor, feat2: torch.Tensor,
                    kept: KeptPoints) -> torch.Tensor:
        """(B, P, P) scaled correlation; invalid columns get a large negative
        value (finite, so that a sample without points stays NaN-free)."""
        w = feat1.shape[-1]
        d1 = descriptors(feat1)
        d2_corr = gather_positions(descriptors(feat2), kept.ref_pos, w)
        corr = d1 @ d2_corr.transpose(1, 2) / self.temperature
        return corr.masked_fill(~kept.mask.unsqueeze(1), -1e4)

    def forward(self, student1: torch.Tensor, student2: torch.Tensor,
                teacher1: torch.Tensor, teacher2: torch.Tensor,
                kept: KeptPoints) -> Optional[torch.Tensor]:
        """Args:
            student1, student2 (Tensor): Student features of the LR-upsampled
                input and of the reference, (B, C, h, w).
            teacher1, teacher2 (Tensor): Teacher features of the HR input and
                of the reference.
            kept (KeptPoints): From :func:`kept_points`.

        Returns:
            Tensor | None: Scalar loss, None when no sample is usable.
        """
        log_s = F.log_softmax(self.correlation(student1, student2, kept), -1)
        log_t = F.log_softmax(self.correlation(teacher1, teacher2, kept), -1)
        valid = kept.mask.unsqueeze(1)
        kl = torch.where(valid, log_t.exp() * (log_t - log_s),
                         torch.zeros_like(log_s)).sum(-1)  # (B, P)
        loss = masked_sample_mean(kl, kept.mask, kept.usable)
        return None if loss is None else loss * self.loss_weight
