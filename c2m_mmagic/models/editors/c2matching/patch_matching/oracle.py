"""The matching by its definition, in float64: the oracle the tests, the
accuracy tools and the device check compare every implementation with."""
import torch
import torch.nn.functional as F

from .patches import PATCH


def brute_force_match(feat_in: torch.Tensor,
                      feat_ref: torch.Tensor) -> torch.Tensor:
    """Every input 3×3 patch against every reference patch divided by its
    norm + 1e-5, in float64; the lowest index among the maxima. Slow and
    memory-hungry (it holds every score).

    Args:
        feat_in (Tensor): (N, C, h, w), already channel-normalised.
        feat_ref (Tensor): (N, C, hr, wr), already channel-normalised.

    Returns:
        Tensor: (N, h-2, w-2) int64 indices into the (hr-2)×(wr-2) grid.
    """
    n, _, h, w = feat_in.shape
    patches_in = F.unfold(feat_in.double(), PATCH)  # (N, 9C, P)
    patches_ref = F.unfold(feat_ref.double(), PATCH)  # (N, 9C, Q)
    patches_ref = patches_ref / (patches_ref.norm(dim=1, keepdim=True) +
                                 1e-5)
    scores = patches_in.transpose(1, 2) @ patches_ref  # (N, P, Q)
    return scores.argmax(-1).view(n, h - PATCH + 1, w - PATCH + 1)
