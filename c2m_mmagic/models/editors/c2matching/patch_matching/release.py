"""The matching as the authors' release computes it: per sample, the
reference patches (divided by their norm + 1e-5) as convolution kernels over
the input map, in chunks of 1024²·512/(h·w) kernels, with a running maximum
that keeps the earlier index. The benchmark's yardstick; the same
definition as the other implementations."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F

from .patches import PATCH, check_sizes
from .registry import register_matching


@register_matching('release', "the release's conv2d, per sample (yardstick)")
def release_match(feat_in: torch.Tensor,
                  feat_ref: torch.Tensor,
                  chunk_elements: int = 0,
                  ref_valid: Optional[torch.Tensor] = None,
                  progress: bool = False
                  ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Best reference 3×3 patch for every input 3×3 patch, as released.

    Args:
        feat_in (Tensor): (N, C, h, w), already channel-normalised.
        feat_ref (Tensor): (N, C, hr, wr), already channel-normalised.
        chunk_elements (int): Unused: the release's own chunk rule applies.
        ref_valid (Tensor, optional): (N, hr-2, wr-2) bool, the reference
            patches that may be matched (several references).
        progress (bool): Unused.

    Returns:
        tuple[Tensor]: ``index`` (N, h-2, w-2) int64 and ``score``
        (N, h-2, w-2), as :func:`~.pixel.match_patches`.
    """
    check_sizes(feat_in, feat_ref)
    indices, scores = [], []
    for n, (x, r) in enumerate(zip(feat_in, feat_ref)):
        valid = None if ref_valid is None else ref_valid[n].flatten()
        c, h, w = x.shape
        kernels = F.unfold(r[None], PATCH)[0].t().reshape(-1, c, PATCH, PATCH)
        chunk = int(1024.**2 * 512 / (h * w))
        best_val = best_idx = None
        for start in range(0, kernels.shape[0], chunk):
            k = kernels[start:start + chunk]
            k = k / (k.flatten(1).norm(dim=1).view(-1, 1, 1, 1) + 1e-5)
            chunk_scores = F.conv2d(x[None], k)[0]
            if valid is not None:
                chunk_scores[~valid[start:start + chunk]] = float('-inf')
            val, idx = chunk_scores.max(0)
            if best_val is None:
                best_val, best_idx = val, idx
            else:
                better = val > best_val
                best_val[better] = val[better]
                best_idx[better] = idx[better] + start
        indices.append(best_idx)
        scores.append(best_val)
    return torch.stack(indices), torch.stack(scores)
