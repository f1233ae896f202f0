"""The rescored matching: candidate scores of whole patches (one matrix
product over 9C, compute-bound) in reduced precision (bf16), the best few
re-scored exactly in fp32: the chosen index is the fp32 one unless the true
best falls outside the candidates (tests: against float64 on real
features).

Memory: the reference's unfolded patches (9C per position) are held in the
reduced precision only (unfolded into it band by band), and only while they
stay within
``KEEP_REF_BANDS`` × ``chunk_elements`` (2 GiB of bf16 at the default chunk);
above that (a 4096² photo's reference is 4.8 GiB of them) they are unfolded
again in bands of reference rows for every band of input rows, a running
top-k carried across. The fp32 re-scoring gathers the candidates' pixels
from the reference's feature map itself, never from an unfolded fp32 copy
(9.6 GiB at 4096²).
"""
from typing import Iterator, List, Optional, Tuple

import torch
import torch.nn.functional as F
from tqdm import tqdm

from .patches import (PATCH, check_sizes, clamp_rows, merge_topk,
                      ref_patch_norms, region_indices)
from .registry import register_matching

KEEP_REF_BANDS = 16  # the reference's reduced-precision patches are kept
#                      across input bands up to this many chunks


def reference_patch_bands(feat_ref: torch.Tensor, inv_norm: torch.Tensor,
                          rows: int, dtype: torch.dtype
                          ) -> Iterator[Tuple[int, torch.Tensor]]:
    """The reference's 3×3 patches divided by their norms + 1e-5, unfolded
    in bands of ``rows`` patch rows.

    Args:
        feat_ref (Tensor): (N, C, hr, wr).
        inv_norm (Tensor): (N, Q) 1 / (norm + 1e-5) of every patch.
        rows (int): Patch rows per band.
        dtype (torch.dtype): Precision of the bands.

    Yields:
        tuple: (q0, band): the band's first patch index and (N, 9C, Qb).
    """
    grid_h = feat_ref.shape[-2] - PATCH + 1
    grid_w = feat_ref.shape[-1] - PATCH + 1
    for r0 in range(0, grid_h, rows):
        r1 = min(grid_h, r0 + rows)
        band = F.unfold(feat_ref[:, :, r0:r1 + PATCH - 1], PATCH)
        yield r0 * grid_w, (band * inv_norm[:, None, r0 * grid_w:r1 * grid_w]
                            ).to(dtype)


def candidate_patch_scores(ref_pixels: torch.Tensor, patches: torch.Tensor,
                           cand: torch.Tensor, ref_width: int) -> torch.Tensor:
    """Exact fp32 inner products of input patches with candidate reference
    patches, gathered from the reference's pixels.

    Args:
        ref_pixels (Tensor): (N, hr·wr, C) the reference's feature vectors.
        patches (Tensor): (N, P, 9C) unfolded input patches (C-major, as
            ``F.unfold`` lays them out).
        cand (Tensor): (N, P, k) indices into the reference's patch grid,
            ``ref_width`` - 2 wide.
        ref_width (int): wr.

    Returns:
        Tensor: (N, P, k), unnormalised.
    """
    n, p, _ = patches.shape
    grid_w = ref_width - PATCH + 1
    where = region_indices(cand // grid_w, cand % grid_w, PATCH, ref_width)
    batch = torch.arange(n, device=cand.device)[:, None, None, None]
    pixels = ref_pixels[batch, where]  # (N, P, k, 9, C), 9 row-major
    return torch.einsum('npkoc,npco->npk', pixels,
                        patches.view(n, p, -1, PATCH * PATCH))


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
    its norm + 1e-5) in matrix products over the 9C patch vectors in
    ``dtype``; the ``candidates`` best are scored again in fp32, and the
    best of those wins (the lowest index on ties). Input rows (and, for a
    large reference, reference rows) are taken in bands so that neither the
    candidate scores (N × patches × reference patches) nor the gathered
    candidates (N × patches × candidates × 9C) exceed ``chunk_elements``.

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
    grid_hr, grid_wr = hr - PATCH + 1, wr - PATCH + 1
    k = min(candidates, grid_hr * grid_wr)
    inv_norm = (1. / (ref_patch_norms(feat_ref) + 1e-5)).flatten(1)
    ref_pixels = feat_ref.flatten(2).transpose(1, 2).contiguous()
    patch_len = PATCH * PATCH * c
    ref_rows = clamp_rows(chunk_elements // (n * patch_len * grid_wr), grid_hr)
    if n * patch_len * grid_hr * grid_wr <= KEEP_REF_BANDS * chunk_elements:
        kept = feat_ref.new_empty((n, patch_len, grid_hr * grid_wr),
                                  dtype=dtype)  # filled band by band
        for q0, band in reference_patch_bands(feat_ref, inv_norm, ref_rows,
                                              dtype):
            kept[..., q0:q0 + band.shape[-1]] = band
        ref_bands, band_q = (lambda: [(0, kept)]), grid_hr * grid_wr
    else:
        ref_bands, band_q = (lambda: reference_patch_bands(
            feat_ref, inv_norm, ref_rows, dtype)), ref_rows * grid_wr
    valid = None if ref_valid is None else ref_valid.flatten(1)[:, None]
    per_row = n * grid_w * max(band_q, k * patch_len)
    rows = clamp_rows(chunk_elements // per_row, grid_h)
    batch = torch.arange(n, device=feat_in.device)[:, None, None]
    scores: List[torch.Tensor] = []
    indices: List[torch.Tensor] = []
    for y0 in tqdm(range(0, grid_h, rows), desc='matching',
                   disable=not progress):
        y1 = min(grid_h, y0 + rows)
        patches = F.unfold(feat_in[:, :, y0:y1 + PATCH - 1],
                           PATCH).transpose(1, 2)  # (N, P, 9C)
        reduced = patches.to(dtype)
        best = None
        for q0, ref_band in ref_bands():
            approx = torch.bmm(reduced, ref_band)  # (N, P, Qb)
            if valid is not None:
                approx.masked_fill_(
                    ~valid[..., q0:q0 + approx.shape[-1]], float('-inf'))
            top = approx.topk(min(k, approx.shape[-1]), dim=2)
            best = merge_topk(best, top.values, top.indices + q0, k)
            del approx
        cand = best[1].sort(dim=2).values
        exact = candidate_patch_scores(ref_pixels, patches, cand,
                                       wr) * inv_norm[batch, cand]
        if valid is not None:
            exact.masked_fill_(~valid.expand(-1, cand.shape[1], -1).gather(
                2, cand), float('-inf'))
        score, best_k = exact.max(2)  # the first maximum: the lowest index
        scores.append(score)
        indices.append(cand.gather(2, best_k[..., None])[..., 0])
    shape = (n, grid_h, grid_w)
    return (torch.cat(indices, 1).view(shape), torch.cat(scores,
                                                         1).view(shape))
