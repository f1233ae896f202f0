"""The hierarchical matching, opt-in for large photos: the exact global
search on a coarser grid, then the exact scores at full resolution around
the best few coarse candidates only (docs/method.md §8).

1. Coarse: both feature maps average-pooled ``factor``× (each window's
   mean), channel-normalised again; every coarse 3×3 input patch scored
   against every coarse reference patch with the matching's own score (the
   inner product over the reference patch's norm + 1e-5); the best
   ``candidates`` coarse reference patches of each kept (top-k, so that a
   near-tie at the coarse level does not lose the true match).
2. Fine: the input's patches are taken in groups of ``factor`` × ``factor``
   (the positions one coarse patch stands for); for each of the group's
   coarse candidates, every full-resolution reference patch in a window of
   (``factor`` + 2·``margin``)² positions around it is scored exactly in
   fp32 (pixel products of the group's region with the window's region,
   then the 3×3 sums); the best of all windows wins, the lowest index on
   ties.
3. Propagation (``rounds``): each group searches again the windows the best
   matches of its 3×3 neighbourhood of groups point to (a photo's flow is
   mostly smooth), keeping what scores higher.

Cost, for P input and Q reference patches of C channels: the coarse search
is the pixel matching's (pixel products, then 3×3 sums) on grids ``factor``²
times smaller each, C·P·Q / factor⁴ multiply-adds (quadratic, but 256×
smaller at factor 4); the fine one C·P·(candidates + 9·rounds)·(factor+2)²·
(factor+2·margin+2)² / factor² (linear in P): at the defaults about 1,900·C
per input patch, against C·Q (plus the sums) for the exact search; with
the coarse search and the gathers it pays from about 10⁸ patch pairs
(``exact_below``). Memory: one band's
correlation and window regions, bounded by ``chunk_elements``.

The result is the exact search's wherever the true best lies in a window
of a coarse candidate (README: its measured agreement with the float64
oracle and the PSNR it gives).
"""
import math
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from tqdm import tqdm

from .patches import (PATCH, check_sizes, clamp_rows, l2_normalize_channels,
                      merge_topk, ref_patch_norms, region_indices)
from .pixel import match_patches, patch_score_bands
from .registry import register_matching


def coarse_candidates(feat_in: torch.Tensor, feat_ref: torch.Tensor, k: int,
                      valid: Optional[torch.Tensor],
                      chunk_elements: int) -> torch.Tensor:
    """The ``k`` best reference patches of every input patch by the
    matching's score, exactly (fp32, from pixel products as the pixel
    matching computes them), in bands.

    Args:
        feat_in (Tensor): (N, C, h, w), channel-normalised.
        feat_ref (Tensor): (N, C, hr, wr), channel-normalised.
        k (int): Candidates kept.
        valid (Tensor, optional): (N, hr-2, wr-2) bool.
        chunk_elements (int): Bound on one band's pixel correlation.

    Returns:
        Tensor: (N, h-2, w-2, k) int64 indices into the reference's patch
        grid, best first.
    """
    n, _, h, w = feat_in.shape
    grid_w = feat_ref.shape[-1] - PATCH + 1
    out = []
    for _, ref_bands in patch_score_bands(feat_in, feat_ref, chunk_elements,
                                          valid):
        best = None
        for r0, scores in ref_bands:
            width = min(k, scores.shape[-1])
            band = scores.topk(width, dim=2)
            best = merge_topk(best, band.values, band.indices + r0 * grid_w,
                              k)
        out.append(best[1])
    k = out[0].shape[-1]
    return torch.cat(out, 1).view(n, h - PATCH + 1, w - PATCH + 1, k)


@register_matching(
    'hierarchical', 'exact search on a 4x pooled grid, the best 4 coarse '
    'candidates refined at full resolution (opt-in, for large photos)')
def match_patches_hierarchical(
        feat_in: torch.Tensor,
        feat_ref: torch.Tensor,
        chunk_elements: int = 2**26,
        ref_valid: Optional[torch.Tensor] = None,
        progress: bool = False,
        factor: int = 4,
        candidates: int = 4,
        margin: int = 1,
        rounds: int = 1,
        exact_below: int = 2**27) -> Tuple[torch.Tensor, torch.Tensor]:
    """:func:`~.pixel.match_patches` from a coarse search refined around its
    best candidates (module docstring).

    Args:
        feat_in (Tensor): (N, C, h, w), already channel-normalised.
        feat_ref (Tensor): (N, C, hr, wr), already channel-normalised.
        chunk_elements (int): Bound on one band's intermediates.
        ref_valid (Tensor, optional): (N, hr-2, wr-2) bool, the reference
            patches that may be matched (several references).
        progress (bool): Show a progress bar over the fine bands.
        factor (int): Pooling of the coarse grid.
        candidates (int): Coarse candidates refined per input patch.
        margin (int): Window around each candidate, in full-resolution
            positions beyond the ``factor`` × ``factor`` it stands for.
        rounds (int): Propagation rounds after the coarse candidates: each
            group also searches the windows its 3×3 neighbourhood's best
            matches point to (the flow is mostly smooth).
        exact_below (int): Below this many (input patch, reference patch)
            pairs the exact search costs less than the two steps (measured
            on the CPU: at 22,800² pairs the exact search took 5.0 s, this
            one 2.1 s; at 4,800², 0.26 s against 0.54 s) and is what runs.

    Returns:
        tuple[Tensor]: ``index`` (N, h-2, w-2) int64 and ``score``
        (N, h-2, w-2), as :func:`~.pixel.match_patches`.
    """
    check_sizes(feat_in, feat_ref)
    n, c, h, w = feat_in.shape
    hr, wr = feat_ref.shape[-2:]
    grid_h, grid_w = h - PATCH + 1, w - PATCH + 1
    if grid_h * grid_w * (hr - PATCH + 1) * (wr - PATCH + 1) < exact_below:
        return match_patches(feat_in, feat_ref, chunk_elements, ref_valid,
                             progress)
    pooled = [l2_normalize_channels(F.avg_pool2d(f, factor, ceil_mode=True))
              for f in (feat_in, feat_ref)]
    if min(pooled[0].shape[-2:] + pooled[1].shape[-2:]) < PATCH:
        # too small for a coarse grid: the exact search is cheap here
        return match_patches(feat_in, feat_ref, chunk_elements, ref_valid,
                             progress)
    cgh_ref = pooled[1].shape[-2] - PATCH + 1
    cgw_ref = pooled[1].shape[-1] - PATCH + 1
    coarse_valid = None
    if ref_valid is not None:  # a coarse patch may hold a valid fine one
        coarse_valid = F.max_pool2d(ref_valid[:, None].float(), factor,
                                    ceil_mode=True)[:, 0, :cgh_ref,
                                                    :cgw_ref] > 0
    coarse = coarse_candidates(*pooled, candidates, coarse_valid,
                               chunk_elements)
    cgh, cgw, k = coarse.shape[1:]

    # groups of factor x factor input patches, each with its coarse patch
    groups_h, groups_w = math.ceil(grid_h / factor), math.ceil(grid_w / factor)
    gy = torch.arange(groups_h, device=feat_in.device)
    gx = torch.arange(groups_w, device=feat_in.device)
    cy, cx = gy.clamp(max=cgh - 1), gx.clamp(max=cgw - 1)
    group_cands = coarse[:, cy][:, :, cx]  # (N, Gh, Gw, k)
    # the window's top-left reference patch, shifted as the group is from
    # its coarse patch (edge groups clamped to the last coarse patch)
    top = (group_cands // cgw_ref) * factor + (
        factor * (gy - cy))[None, :, None, None] - margin
    left = (group_cands % cgw_ref) * factor + (
        factor * (gx - cx))[None, None, :, None] - margin
    windows = GroupWindows(feat_in, feat_ref, ref_valid, factor, margin,
                           chunk_elements, progress)
    index, score = windows.best(top, left)
    for _ in range(rounds):
        top, left = windows.propagated(index, score)
        index, score = keep_better((index, score), windows.best(top, left))
    return (index[:, :grid_h, :grid_w].contiguous(),
            score[:, :grid_h, :grid_w].contiguous())


def keep_better(a: Tuple[torch.Tensor, torch.Tensor],
                b: Tuple[torch.Tensor, torch.Tensor]):
    """Per position the (index, score) of the higher score, the lower index
    on ties."""
    better = (b[1] > a[1]) | ((b[1] == a[1]) & (b[0] < a[0]))
    return torch.where(better, b[0], a[0]), torch.where(better, b[1], a[1])


class GroupWindows:
    """Exact scores of groups of ``factor`` × ``factor`` input patches
    against windows of (``factor`` + 2·``margin``)² reference patches, each
    group with its own windows (module docstring, step 2).

    Args:
        feat_in, feat_ref (Tensor): The channel-normalised maps.
        ref_valid (Tensor, optional): (N, hr-2, wr-2) bool.
        factor, margin (int): Group side and window margin.
        chunk_elements (int): Bound on one band's window regions.
        progress (bool): Progress bars over the bands.
    """

    def __init__(self, feat_in: torch.Tensor, feat_ref: torch.Tensor,
                 ref_valid: Optional[torch.Tensor], factor: int, margin: int,
                 chunk_elements: int, progress: bool) -> None:
        n, c, h, w = feat_in.shape
        hr, wr = feat_ref.shape[-2:]
        self.factor, self.margin = factor, margin
        self.win = factor + 2 * margin
        self.region = self.win + PATCH - 1
        self.grid = (h - PATCH + 1, w - PATCH + 1)
        self.ref_grid = (hr - PATCH + 1, wr - PATCH + 1)
        self.groups = (math.ceil(self.grid[0] / factor),
                       math.ceil(self.grid[1] / factor))
        gh, gw = self.groups
        self.side = factor + PATCH - 1
        # the input padded to whole groups; each band's regions unfolded
        # when it runs (all at once they hold (factor+2)²/factor² copies)
        self.padded_in = F.pad(feat_in, (0, gw * factor + PATCH - 1 - w, 0,
                                         gh * factor + PATCH - 1 - h))
        # windows may leave the reference: a zero border as wide as one
        self.pad = self.region
        self.ref_pixels = F.pad(feat_ref, (self.pad, ) * 4).permute(
            0, 2, 3, 1).reshape(n, -1, c)
        self.padded_w = wr + 2 * self.pad
        self.inv_norm = 1. / (ref_patch_norms(feat_ref) + 1e-5)
        self.allowed = ref_valid if ref_valid is not None else \
            torch.ones_like(self.inv_norm, dtype=torch.bool)
        self.chunk_elements, self.progress = chunk_elements, progress
        self.shape = (n, c)

    def best(self, top: torch.Tensor, left: torch.Tensor):
        """The best patch of each input position among its group's windows
        (top-left reference patches ``top``, ``left``: (N, Gh, Gw, K)).

        Returns:
            tuple[Tensor]: ``index`` and ``score``, (N, h-2, w-2).
        """
        n, c = self.shape
        gh, gw = self.groups
        f, win, region, side = self.factor, self.win, self.region, self.side
        k = top.shape[-1]
        rows = clamp_rows(
            self.chunk_elements // max(1, n * gw * k * region * region * c),
            gh)
        index = top.new_empty(n, gh * f, gw * f)
        score = self.inv_norm.new_empty(n, gh * f, gw * f)
        batch = torch.arange(n, device=top.device)
        bidx = batch.view(n, 1, 1, 1, 1, 1)
        steps = torch.arange(win, device=top.device)
        ref_h, ref_w = self.ref_grid
        for g0 in tqdm(range(0, gh, rows), desc='matching (windows)',
                       disable=not self.progress):
            g1 = min(gh, g0 + rows)
            t, lf = top[:, g0:g1], left[:, g0:g1]  # (N, B, Gw, K)
            where = region_indices(t + self.pad, lf + self.pad, region,
                                   self.padded_w)
            refs = self.ref_pixels[batch[:, None, None, None, None], where]
            # pixel products of each group's region with its K windows'
            rows_in = self.padded_in[:, :, g0 * f:g1 * f + PATCH - 1]
            a = F.unfold(rows_in, side, stride=f).view(
                n, c, side * side, g1 - g0, gw).permute(0, 3, 4, 2,
                                                        1).reshape(
                                                            -1, side * side, c)
            b = refs.reshape(-1, k * region * region, c)
            products = torch.bmm(a, b.transpose(1, 2)).view(
                -1, side, side, k, region, region)
            scores = products[:, :f, :f, :, :win, :win].clone()
            for i in range(PATCH):
                for j in range(PATCH):
                    if i or j:
                        scores += products[:, i:i + f, j:j + f, :,
                                           i:i + win, j:j + win]
            # the windows' patches: their indices, norms and validity
            rr = (t[..., None] + steps)[..., :, None]  # (N,B,Gw,K,win,1)
            cc = (lf[..., None] + steps)[..., None, :]
            ok = (rr >= 0) & (rr < ref_h) & (cc >= 0) & (cc < ref_w)
            rr, cc = rr.clamp(0, ref_h - 1), cc.clamp(0, ref_w - 1)
            ok = ok & self.allowed[bidx, rr, cc]
            flat = rr * ref_w + cc
            scale = torch.where(ok, self.inv_norm[bidx, rr, cc],
                                torch.zeros((), dtype=score.dtype))
            scores = scores.view(n, g1 - g0, gw, f, f, k, win, win)
            scores = (scores * scale[:, :, :, None, None]).masked_fill(
                ~ok[:, :, :, None, None], float('-inf')).flatten(5)
            flat = flat.flatten(3)[:, :, :, None, None].expand_as(scores)
            top_score = scores.max(-1, keepdim=True).values
            # the lowest index among the best
            chosen = torch.where(scores == top_score, flat,
                                 torch.full_like(flat, ref_h * ref_w)).min(-1)
            out = slice(g0 * f, g1 * f)
            index[:, out] = chosen.values.permute(0, 1, 3, 2, 4).reshape(
                n, (g1 - g0) * f, gw * f)
            score[:, out] = top_score[..., 0].permute(0, 1, 3, 2, 4).reshape(
                n, (g1 - g0) * f, gw * f)
        return index, score

    def propagated(self, index: torch.Tensor, score: torch.Tensor):
        """The windows a propagation round searches: for each group, the
        offset of the best match of each group of its 3×3 neighbourhood
        (at that group's best-scoring position), applied to this group's
        patches. Returns ``top``, ``left`` (N, Gh, Gw, 9)."""
        n = index.shape[0]
        gh, gw = self.groups
        f = self.factor
        ref_w = self.ref_grid[1]
        grouped = score.view(n, gh, f, gw, f).permute(0, 1, 3, 2,
                                                      4).reshape(
                                                          n, gh, gw, f * f)
        pos = grouped.argmax(-1)  # the group's best position
        idx = index.view(n, gh, f, gw, f).permute(0, 1, 3, 2, 4).reshape(
            n, gh, gw, f * f).gather(-1, pos[..., None])[..., 0]
        gy = torch.arange(gh, device=index.device)[:, None] * f
        gx = torch.arange(gw, device=index.device)[None, :] * f
        # offset from that position to its match
        dy = idx // ref_w - (gy + pos // f)
        dx = idx % ref_w - (gx + pos % f)
        tops, lefts = [], []
        for oy in (-1, 0, 1):
            for ox in (-1, 0, 1):
                ny = (torch.arange(gh, device=index.device) + oy).clamp(
                    0, gh - 1)
                nx = (torch.arange(gw, device=index.device) + ox).clamp(
                    0, gw - 1)
                tops.append(gy + dy[:, ny][:, :, nx] - self.margin)
                lefts.append(gx + dx[:, ny][:, :, nx] - self.margin)
        return torch.stack(tops, -1), torch.stack(lefts, -1)
