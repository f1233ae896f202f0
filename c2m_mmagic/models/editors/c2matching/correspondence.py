"""Correspondence generation of C²-Matching (docs/method.md §5.1), batched."""
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmagic.registry import MODELS
from .scales import SCALES

PATCH = 3  # matching patch size; the flow is padded by PATCH - 1


def l2_normalize_channels(feat: torch.Tensor) -> torch.Tensor:
    """L2-normalises every feature vector of (N, C, H, W) over C."""
    return F.normalize(feat, dim=1)


def _clamp(rows: int, most: int) -> int:
    return max(1, min(most, rows))


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
        ref_valid: Optional[torch.Tensor] = None
) -> Tuple[torch.Tensor, torch.Tensor]:
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

    Returns:
        tuple[Tensor]: ``index`` (N, h-2, w-2) int64, row-major index into the
        reference's (hr-2)×(wr-2) patch grid, and ``score`` (N, h-2, w-2).
    """
    n, c, h, w = feat_in.shape
    hr, wr = feat_ref.shape[-2:]
    if min(h, w, hr, wr) < PATCH:
        raise ValueError(
            f'feature maps must be at least {PATCH}x{PATCH} for 3x3 patch '
            f'matching (an image of at least {4 * PATCH}x{4 * PATCH} pixels '
            f'at HR); got input {h}x{w} and reference {hr}x{wr}')
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
    for y0 in range(0, grid_h, in_rows):
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


def index_to_flow(index: torch.Tensor, ref_width: int,
                  out_size: Tuple[int, int]) -> torch.Tensor:
    """Converts patch indices to a flow field padded to ``out_size``.

    Args:
        index (Tensor): (N, h-2, w-2) row-major indices into the reference
            patch grid, whose width is ``ref_width - 2``.
        ref_width (int): Width of the reference feature map.
        out_size (tuple[int]): (h, w) of the input feature map.

    Returns:
        Tensor: (N, h, w, 2) flow as (x, y) = matched position - position,
        zero in the last two rows and columns.
    """
    grid_w = ref_width - PATCH + 1
    ys, xs = torch.meshgrid(
        torch.arange(index.shape[1], device=index.device),
        torch.arange(index.shape[2], device=index.device),
        indexing='ij')
    flow = torch.stack((index % grid_w - xs, index // grid_w - ys), dim=-1)
    h, w = out_size
    flow = F.pad(flow.float(),
                 (0, 0, 0, w - index.shape[2], 0, h - index.shape[1]))
    return flow


def shifted_offsets(flow: torch.Tensor, scale: int) -> torch.Tensor:
    """The nine shifted copies of an upscaled flow (docs/method.md §5.1).

    Args:
        flow (Tensor): (N, h, w, 2) flow at relu3_1 scale.
        scale (int): 1, 2 or 4: the flow is repeated ``scale`` times along
            both axes (nearest), multiplied by ``scale``, and copy k = 3i + j
            is shifted by (scale*i, scale*j) with zeros entering.

    Returns:
        Tensor: (N, 9, h*scale, w*scale, 2).
    """
    if scale != 1:
        flow = flow.repeat_interleave(scale, dim=1)
        flow = flow.repeat_interleave(scale, dim=2) * scale
    _, h, w, _ = flow.shape
    copies = []
    for i in range(PATCH):
        for j in range(PATCH):
            di, dj = i * scale, j * scale
            # copy(p) = flow(p - (di, dj)), zero where that falls outside
            shifted = F.pad(flow, (0, 0, dj, 0, di, 0))[:, :h, :w]
            copies.append(shifted)
    return torch.stack(copies, dim=1)


@MODELS.register_module()
class CorrespondenceGenerator(BaseModule):
    """Dense correspondence from contrastive features to pre-offsets.

    No trainable parameters. Input and reference may differ in size; the
    reference index is decoded with the reference's own width.

    Args:
        chunk_elements (int): Memory budget of one correlation chunk, in
            elements (default 2**26, i.e. 256 MiB in fp32).
        scales (dict, optional): Output name -> upscaling of the LR flow;
            default: each scale's VGG19 layer and factor (``scales.SCALES``).
    """

    def __init__(self,
                 chunk_elements: int = 2**26,
                 scales: Dict[str, int] = None) -> None:
        super().__init__()
        if chunk_elements < 1:
            raise ValueError(
                f'chunk_elements must be >= 1, got {chunk_elements}')
        self.chunk_elements = chunk_elements
        self.scales = scales or {s.layer: s.factor for s in SCALES}

    @torch.no_grad()
    def forward(self,
                feat_in: torch.Tensor,
                feat_ref: torch.Tensor,
                ref_valid: Optional[torch.Tensor] = None
                ) -> Dict[str, torch.Tensor]:
        """Args:
            feat_in (Tensor): Student features of ``img_lq_up`` (N, C, h, w).
            feat_ref (Tensor): Student features of ``ref`` (N, C, hr, wr).
            ref_valid (Tensor, optional): (N, hr-2, wr-2) bool, reference
                patches that may be matched (see :func:`match_patches`).

        Returns:
            dict[str, Tensor]: Pre-offsets per VGG layer, each
            (N, 9, h*s, w*s, 2) with last dim (x, y).
        """
        # matching stays fp32 under --amp: argmax is sensitive to rounding
        with torch.autocast(feat_in.device.type, enabled=False):
            feat_in = l2_normalize_channels(feat_in.float())
            feat_ref = l2_normalize_channels(feat_ref.float())
            index, _ = match_patches(feat_in, feat_ref, self.chunk_elements,
                                     ref_valid)
        flow = index_to_flow(index, feat_ref.shape[-1], feat_in.shape[-2:])
        return {
            name: shifted_offsets(flow, scale)
            for name, scale in self.scales.items()
        }
