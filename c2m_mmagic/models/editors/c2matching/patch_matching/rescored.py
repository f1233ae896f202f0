"""The rescored matching: candidate scores of whole patches (one matrix
product over 9C, compute-bound) in reduced precision (bf16), the best few
re-scored exactly in fp32: the chosen index is the fp32 one unless the true
best falls outside the candidates (tests: against float64 on real
features)."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from tqdm import tqdm

from .patches import PATCH, check_sizes, clamp_rows, ref_patch_norms
from .registry import register_matching


@register_matching(
    'rescored',
    'reduced-precision candidates, the best 16 re-scored in fp32')
def match_patches_rescored(
        feat_in: torch.Tensor,
        feat_ref: torch.Tensor,
        chunk_elements: int = 2**26,
        ref_valid: Optional[torch.Tensor] = None,
        progress: bool = False,
        candidates: int = 16,
        dtype: torch.dtype = torch.bfloat16
) -> Tuple[torch.Tensor, torch.Tensor]:
    """:func:`~.pixel.match_patches` from reduced-precision candidates re-scored
    exactly (module docstring).

    Every input patch is scored against every reference patch (divided by
    its norm + 1e-5) in one matrix product over the 9C patch vectors in
    ``dtype``; the ``candidates`` best are scored again in fp32, and the
    best of those wins (the lowest index on ties). Input rows are taken in
    bands so that neither the candidate scores (N × patches × reference
    patches) nor the gathered candidates (N × patches × candidates × 9C)
    exceed ``chunk_elements``.

    Args:
        feat_in (Tensor): (N, C, h, w), already channel-normalised.
        feat_ref (Tensor): (N, C, hr, wr), already channel-normalised.
        chunk_elements (int): Bound on one band's intermediates.
        ref_valid (Tensor, optional): (N, hr-2, wr-2) bool, the reference
            patches that may be matched.
        progress (bool): Show a progress bar over the bands.
        candidates (int): Candidates re-scored per input patch.
        dtype (torch.dtype): Precision of the candidate scores.

    Returns:
        tuple[Tensor]: ``index`` (N, h-2, w-2) int64 and ``score``
        (N, h-2, w-2), as :func:`~.pixel.match_patches`.
    """
    n, c, h, w = feat_in.shape
    check_sizes(feat_in, feat_ref)
    grid_h, grid_w = h - PATCH + 1, w - PATCH + 1
    hr, wr = feat_ref.shape[-2:]
    num_ref = (hr - PATCH + 1) * (wr - PATCH + 1)
    k = min(candidates, num_ref)
    inv_norm = (1. / (ref_patch_norms(feat_ref) + 1e-5)).flatten(1)
    ref_patches = F.unfold(feat_ref, PATCH).transpose(1, 2)  # (N, Q, 9C)
    approx_ref = (ref_patches * inv_norm[..., None]).to(dtype).transpose(1, 2)
    valid = None if ref_valid is None else ref_valid.flatten(1)[:, None]
    per_row = n * grid_w * max(num_ref, k * PATCH * PATCH * c)
    rows = clamp_rows(chunk_elements // per_row, grid_h)
    batch = torch.arange(n, device=feat_in.device)[:, None, None]
    scores, indices = [], []
    for y0 in tqdm(range(0, grid_h, rows), desc='matching',
                   disable=not progress):
        y1 = min(grid_h, y0 + rows)
        patches = F.unfold(feat_in[:, :, y0:y1 + PATCH - 1],
                           PATCH).transpose(1, 2)  # (N, P, 9C)
        approx = torch.bmm(patches.to(dtype), approx_ref)  # (N, P, Q)
        if valid is not None:
            approx.masked_fill_(~valid, float('-inf'))
        cand = approx.topk(k, dim=2).indices.sort(dim=2).values
        del approx
        exact = torch.einsum('npkc,npc->npk', ref_patches[batch, cand],
                             patches) * inv_norm[batch, cand]
        if valid is not None:
            exact.masked_fill_(~valid.expand(-1, cand.shape[1], -1).gather(
                2, cand), float('-inf'))
        score, best = exact.max(2)  # the first maximum: the lowest index
        scores.append(score)
        indices.append(cand.gather(2, best[..., None])[..., 0])
    shape = (n, grid_h, grid_w)
    return (torch.cat(indices, 1).view(shape), torch.cat(scores,
                                                         1).view(shape))
