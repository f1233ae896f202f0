"""The pixel-product matching: patch products assembled from pixel products
in fp32 (one matrix product over C channels, then shifted sums). The fastest
on a CPU; on a GPU bound by memory traffic (it re-reads a correlation of
(h·w)² values)."""
from typing import Iterator, Optional, Tuple

import torch
from tqdm import tqdm

from .patches import PATCH, check_sizes, clamp_rows, ref_patch_norms
from .registry import register_matching


def _patch_correlation(pixel_corr: torch.Tensor, rows: int,
                       ref_rows: int) -> torch.Tensor:
    """3×3 patch inner products from pixel inner products.

    ``pixel_corr[n, y, x, v, u]`` = f_in(y, x)·f_ref(v, u); the patch product
    of input patch (y, x) and reference patch (v, u) is the sum over the
    nine offsets (i, j) of ``pixel_corr[n, y+i, x+j, v+i, u+j]``, taken here
    as three column shifts, then three row shifts (six passes, not nine).

    Returns:
        Tensor: (N, rows, w-2, ref_rows, wr-2).
    """
    w, wr = pixel_corr.shape[2], pixel_corr.shape[4]
    gw, gwr = w - PATCH + 1, wr - PATCH + 1
    cols = pixel_corr[:, :, 0:gw, :, 0:gwr].clone()
    for j in range(1, PATCH):
        cols.add_(pixel_corr[:, :, j:j + gw, :, j:j + gwr])
    corr = cols[:, 0:rows, :, 0:ref_rows].clone()
    for i in range(1, PATCH):
        corr.add_(cols[:, i:i + rows, :, i:i + ref_rows])
    return corr


@register_matching('pixel', 'fp32 pixel products')
def match_patches(
        feat_in: torch.Tensor,
        feat_ref: torch.Tensor,
        chunk_elements: int = 2**26,
        ref_valid: Optional[torch.Tensor] = None,
        progress: bool = False) -> Tuple[torch.Tensor, torch.Tensor]:
    """Best reference 3×3 patch for every input 3×3 patch (stride 1).

    The score is the inner product of the input patch with the reference
    patch divided by (reference patch L2 norm + 1e-5), as the release
    computes it with a convolution. Here the patch products are assembled
    from pixel inner products (one matrix product over C channels instead
    of 9C, then shifted sums): about a third of the time on a CPU. Input
    and reference are taken in bands of rows so that no intermediate exceeds
    ``chunk_elements``; a running maximum over reference bands keeps the
    lower index on ties.

    Args:
        feat_in (Tensor): (N, C, h, w), already channel-normalised.
        feat_ref (Tensor): (N, C, hr, wr), already channel-normalised.
        chunk_elements (int): Upper bound on the elements of one band's
            pixel correlation (N × input rows × w × reference rows × wr);
            bounds memory.
        ref_valid (Tensor, optional): (N, hr-2, wr-2) bool, the reference
            patches that may be matched (e.g. those inside one of several
            references laid side by side); the others are never chosen.
        progress (bool): Show a progress bar over the bands of input rows
            (tqdm).

    Returns:
        tuple[Tensor]: ``index`` (N, h-2, w-2) int64, row-major index into the
        reference's (hr-2)×(wr-2) patch grid, and ``score`` (N, h-2, w-2).
    """
    n, _, h, w = feat_in.shape
    grid_w = feat_ref.shape[-1] - PATCH + 1
    scores, indices = [], []
    for _, ref_bands in patch_score_bands(feat_in, feat_ref, chunk_elements,
                                          ref_valid, progress):
        best_score = best_index = None
        for r0, band in ref_bands:
            score, index = band.max(2)
            index = index + r0 * grid_w
            if best_score is None:
                best_score, best_index = score, index
            else:
                better = score > best_score  # strict: earlier index wins ties
                best_score = torch.where(better, score, best_score)
                best_index = torch.where(better, index, best_index)
        scores.append(best_score)
        indices.append(best_index)
    shape = (n, h - PATCH + 1, w - PATCH + 1)
    return (torch.cat(indices, 1).view(shape), torch.cat(scores,
                                                         1).view(shape))


def patch_score_bands(feat_in: torch.Tensor,
                      feat_ref: torch.Tensor,
                      chunk_elements: int,
                      ref_valid: Optional[torch.Tensor] = None,
                      progress: bool = False) -> Iterator:
    """Every input 3×3 patch's scores against every reference patch, from
    pixel products (:func:`match_patches`), in bands of input rows and,
    within each, of reference rows, no band's pixel correlation over
    ``chunk_elements`` elements.

    Yields:
        tuple: ``(y0, ref_bands)`` per band of input patch rows from y0,
        ``ref_bands`` yielding ``(r0, scores)``: (N, rows × (w-2),
        ref rows × (wr-2)) the scores of the band's input patches against
        the reference patches of rows r0..., -inf where ``ref_valid`` is
        False.
    """
    n, c, h, w = feat_in.shape
    hr, wr = feat_ref.shape[-2:]
    check_sizes(feat_in, feat_ref)
    grid_h, grid_w = h - PATCH + 1, w - PATCH + 1
    ref_grid_h = hr - PATCH + 1
    pix_in = feat_in.permute(0, 2, 3, 1)  # (N, h, w, C)
    inv_norm = 1. / (ref_patch_norms(feat_ref) + 1e-5)
    # square-ish bands: N·(rows + 2)·w·(ref rows + 2)·wr <= budget
    side = int((chunk_elements / (n * w * wr))**0.5) - 2
    in_rows = clamp_rows(side, grid_h)
    ref_rows = clamp_rows(chunk_elements // (n * w * (in_rows + 2) * wr) - 2,
                          ref_grid_h)

    def ref_bands(y0: int, y1: int):
        a = pix_in[:, y0:y1 + PATCH - 1].reshape(n, -1, c)
        for r0 in range(0, ref_grid_h, ref_rows):
            r1 = min(ref_grid_h, r0 + ref_rows)
            b = feat_ref[:, :, r0:r1 + PATCH - 1].flatten(2)
            pixel_corr = torch.bmm(a, b).view(n, y1 - y0 + PATCH - 1, w,
                                              r1 - r0 + PATCH - 1, wr)
            corr = _patch_correlation(pixel_corr, y1 - y0, r1 - r0)
            corr.mul_(inv_norm[:, None, None, r0:r1])
            if ref_valid is not None:
                corr.masked_fill_(~ref_valid[:, None, None, r0:r1],
                                  float('-inf'))
            yield r0, corr.reshape(n, (y1 - y0) * grid_w, -1)

    for y0 in tqdm(range(0, grid_h, in_rows), desc='matching',
                   disable=not progress):
        yield y0, ref_bands(y0, min(grid_h, y0 + in_rows))

