"""What every implementation of the 3×3 patch matching shares: the patch
size, the channel normalisation, the reference patches' norms and the size
check, the running top-k over bands of the reference and the flat indices
of reference regions (docs/method.md §5.1)."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F

PATCH = 3  # matching patch size; the flow is padded by PATCH - 1


def l2_normalize_channels(feat: torch.Tensor) -> torch.Tensor:
    """L2-normalises every feature vector of (N, C, H, W) over C."""
    return F.normalize(feat, dim=1)


def ref_patch_norms(feat_ref: torch.Tensor) -> torch.Tensor:
    """L2 norm of every 3×3 reference patch, (N, hr-2, wr-2)."""
    sq = feat_ref.square().sum(1, keepdim=True)
    return (F.avg_pool2d(sq, PATCH, stride=1) * PATCH * PATCH).sqrt()[:, 0]


def check_sizes(feat_in: torch.Tensor, feat_ref: torch.Tensor) -> None:
    """Refuses maps too small for one 3×3 patch, naming the image size that
    makes them."""
    h, w = feat_in.shape[-2:]
    hr, wr = feat_ref.shape[-2:]
    if min(h, w, hr, wr) < PATCH:
        raise ValueError(
            f'feature maps must be at least {PATCH}x{PATCH} for 3x3 patch '
            f'matching (an image of at least {4 * PATCH}x{4 * PATCH} pixels '
            f'at HR); got input {h}x{w} and reference {hr}x{wr}')


def clamp_rows(rows: int, most: int) -> int:
    """A band height between 1 and ``most``."""
    return max(1, min(most, rows))


def merge_topk(best: Optional[Tuple[torch.Tensor, torch.Tensor]],
               values: torch.Tensor, indices: torch.Tensor,
               k: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` best of a running top-k and a new band's scores.

    Args:
        best (tuple[Tensor], optional): (values, indices), (..., k') each,
            or None for the first band.
        values (Tensor): (..., m) the band's scores.
        indices (Tensor): (..., m) their indices.
        k (int): How many to keep.

    Returns:
        tuple[Tensor]: (values, indices), (..., min(k, k' + m)), best first.
    """
    if best is not None:
        values = torch.cat((best[0], values), -1)
        indices = torch.cat((best[1], indices), -1)
    elif values.shape[-1] <= k:
        return values, indices
    top = values.topk(min(k, values.shape[-1]), dim=-1)
    return top.values, indices.gather(-1, top.indices)


def region_indices(top: torch.Tensor, left: torch.Tensor, size: int,
                   width: int) -> torch.Tensor:
    """Flat indices of the size × size regions whose top-left pixels are
    (``top``, ``left``) of a map ``width`` wide: (*top.shape, size²)."""
    offsets = torch.arange(size, device=top.device)
    rows = (top[..., None] + offsets)[..., :, None]
    cols = (left[..., None] + offsets)[..., None, :]
    return (rows * width + cols).flatten(-2)
