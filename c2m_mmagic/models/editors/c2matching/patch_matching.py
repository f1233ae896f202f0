"""The 3×3 patch matching of C²-Matching (docs/method.md §5.1): for every
input patch, the reference patch of the highest score; two implementations
of one definition, and that definition in float64 (the tests' oracle).

- ``pixel``: patch products assembled from pixel products in fp32 (one
  matrix product over C channels, then shifted sums): the fastest on a CPU,
  bound by memory traffic on a GPU;
- ``rescored``: candidate scores of whole patches (one matrix product over
  9C, compute-bound) in reduced precision (bf16), the best few re-scored
  exactly in fp32: the chosen index is the fp32 one unless the true best
  falls outside the candidates (tests: against float64 on real features).
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from tqdm import tqdm

PATCH = 3  # matching patch size; the flow is padded by PATCH - 1


def l2_normalize_channels(feat: torch.Tensor) -> torch.Tensor:
    """L2-normalises every feature vector of (N, C, H, W) over C."""
    return F.normalize(feat, dim=1)


def _clamp(rows: int, most: int) -> int:
    return max(1, min(most, rows))


def fp32_context(device: torch.device):
    """Autocast off: the matching and its features stay fp32 under --amp
    and bf16 inference (an argmax is sensitive to rounding)."""
    return torch.autocast(torch.device(device).type, enabled=False)


def _check_sizes(feat_in: torch.Tensor, feat_ref: torch.Tensor) -> None:
    h, w = feat_in.shape[-2:]
    hr, wr = feat_ref.shape[-2:]
    if min(h, w, hr, wr) < PATCH:
        raise ValueError(
            f'feature maps must be at least {PATCH}x{PATCH} for 3x3 patch '
            f'matching (an image of at least {4 * PATCH}x{4 * PATCH} pixels '
            f'at HR); got input {h}x{w} and reference {hr}x{wr}')


def ref_patch_norms(feat_ref: torch.Tensor) -> torch.Tensor:
    """L2 norm of every 3×3 reference patch, (N, hr-2, wr-2)."""
    sq = feat_ref.square().sum(1, keepdim=True)
    return (F.avg_pool2d(sq, PATCH, stride=1) * PATCH * PATCH).sqrt()[:, 0]


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
    n, c, h, w = feat_in.shape
    hr, wr = feat_ref.shape[-2:]
    _check_sizes(feat_in, feat_ref)
    grid_h, grid_w = h - PATCH + 1, w - PATCH + 1
    ref_grid_h, ref_grid_w = hr - PATCH + 1, wr - PATCH + 1
    pix_in = feat_in.permute(0, 2, 3, 1)  # (N, h, w, C)
    inv_norm = 1. / (ref_patch_norms(feat_ref) + 1e-5)
    # square-ish bands: N·(rows + 2)·w·(ref rows + 2)·wr <= budget
    side = int((chunk_elements / (n * w * wr))**0.5) - 2
    in_rows = _clamp(side, grid_h)
    ref_rows = _clamp(chunk_elements // (n * w * (in_rows + 2) * wr) - 2,
                      ref_grid_h)

    scores, indices = [], []
    for y0 in tqdm(range(0, grid_h, in_rows), desc='matching',
                   disable=not progress):
        y1 = min(grid_h, y0 + in_rows)
        a = pix_in[:, y0:y1 + PATCH - 1].reshape(n, -1, c)
        best_score = best_index = None
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
            score, index = corr.reshape(n, (y1 - y0) * grid_w, -1).max(2)
            index = index + r0 * ref_grid_w
            if best_score is None:
                best_score, best_index = score, index
            else:
                better = score > best_score  # strict: earlier index wins ties
                best_score = torch.where(better, score, best_score)
                best_index = torch.where(better, index, best_index)
        scores.append(best_score)
        indices.append(best_index)
    shape = (n, grid_h, grid_w)
    return (torch.cat(indices, 1).view(shape), torch.cat(scores,
                                                         1).view(shape))


def brute_force_match(feat_in: torch.Tensor,
                      feat_ref: torch.Tensor) -> torch.Tensor:
    """:func:`match_patches` by its definition, in float64: every input 3×3
    patch against every reference patch divided by its norm + 1e-5, the
    lowest index among the maxima. Slow and memory-hungry (it holds every
    score): the oracle the tests and the device check compare with.

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




def match_patches_rescored(
        feat_in: torch.Tensor,
        feat_ref: torch.Tensor,
        chunk_elements: int = 2**26,
        ref_valid: Optional[torch.Tensor] = None,
        progress: bool = False,
        candidates: int = 16,
        dtype: torch.dtype = torch.bfloat16
) -> Tuple[torch.Tensor, torch.Tensor]:
    """:func:`match_patches` from reduced-precision candidates re-scored
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
        (N, h-2, w-2), as :func:`match_patches`.
    """
    n, c, h, w = feat_in.shape
    _check_sizes(feat_in, feat_ref)
    grid_h, grid_w = h - PATCH + 1, w - PATCH + 1
    hr, wr = feat_ref.shape[-2:]
    num_ref = (hr - PATCH + 1) * (wr - PATCH + 1)
    k = min(candidates, num_ref)
    inv_norm = (1. / (ref_patch_norms(feat_ref) + 1e-5)).flatten(1)
    ref_patches = F.unfold(feat_ref, PATCH).transpose(1, 2)  # (N, Q, 9C)
    approx_ref = (ref_patches * inv_norm[..., None]).to(dtype).transpose(1, 2)
    valid = None if ref_valid is None else ref_valid.flatten(1)[:, None]
    per_row = n * grid_w * max(num_ref, k * PATCH * PATCH * c)
    rows = _clamp(chunk_elements // per_row, grid_h)
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


# The implementations of the matching, by the name ``CorrespondenceGenerator``
# (``matching``) and ``test_cfg.matching`` take.
MATCHINGS = dict(pixel=match_patches, rescored=match_patches_rescored)


def matching_for(name: str, device: torch.device) -> str:
    """The implementation ``name`` names; 'auto': ``rescored`` on CUDA
    (compute-bound there), ``pixel`` elsewhere."""
    if name == 'auto':
        return 'rescored' if torch.device(device).type == 'cuda' else 'pixel'
    if name not in MATCHINGS:
        raise ValueError(f'matching must be auto or one of '
                         f'{sorted(MATCHINGS)}, got {name!r}')
    return name
