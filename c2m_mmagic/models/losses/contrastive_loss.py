"""Losses of the contrastive correspondence stages (docs/method.md §3 and §4).

Both take L2-normalised descriptors and the kept points of ``kept_points``
(``point_geometry``); they are vectorised over the batch by padding every
sample to all h×w positions and masking.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmagic.registry import MODELS
from ..editors.c2matching.point_geometry import (KeptPoints, chebyshev,
                                                 descriptors, gather_positions,
                                                 grid_positions)


def masked_sample_mean(values: torch.Tensor, mask: torch.Tensor,
                       usable: torch.Tensor) -> Optional[torch.Tensor]:
    """Mean over kept points per sample, then over usable samples."""
    if not bool(usable.any()):
        return None
    per_sample = (values * mask).sum(1) / mask.sum(1).clamp(min=1)
    return per_sample[usable].mean()


@MODELS.register_module()
class ContrastiveMarginLoss(nn.Module):
    """Triplet margin loss of the contrastive correspondence network
    (docs/method.md §3).

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
    """KL distillation of the teacher's correlation into the student
    (docs/method.md §4).

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
