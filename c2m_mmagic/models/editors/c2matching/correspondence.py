"""Correspondence generation of C²-Matching (spec §5.1), batched."""
from typing import Dict, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmagic.registry import MODELS

PATCH = 3  # matching patch size; the flow is padded by PATCH - 1


def l2_normalize_channels(feat: torch.Tensor) -> torch.Tensor:
    """L2-normalises every feature vector of (N, C, H, W) over C."""
    return F.normalize(feat, dim=1)


def _normalized_ref_patches(band: torch.Tensor) -> torch.Tensor:
    """3×3 patches (N, C*9, R) of a reference band, each divided by its L2
    norm + 1e-5."""
    patches = F.unfold(band, PATCH)
    return patches / (patches.norm(dim=1, keepdim=True) + 1e-5)


def _clamp(rows: int, most: int) -> int:
    return max(1, min(most, rows))


def match_patches(feat_in: torch.Tensor,
                  feat_ref: torch.Tensor,
                  chunk_elements: int = 2**26) -> Tuple[torch.Tensor,
                                                        torch.Tensor]:
    """Best reference 3×3 patch for every input 3×3 patch (stride 1).

    The score is the inner product of the input patch with the reference
    patch divided by (reference patch L2 norm + 1e-5). Input patches are
    taken in bands of rows and reference patches in bands of rows, so that
    neither the patch matrices nor the correlation are ever whole; a running
    maximum over reference bands keeps the lower index on ties.

    Args:
        feat_in (Tensor): (N, C, h, w), already channel-normalised.
        feat_ref (Tensor): (N, C, hr, wr), already channel-normalised.
        chunk_elements (int): Upper bound on the elements of one correlation
            chunk (N × input patches × reference patches) and, roughly, of
            one band of unfolded patches; bounds memory.

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
    patch_len = c * PATCH * PATCH
    # Band heights so that the input band (n·rows·grid_w·patch_len), the
    # reference band (n·patch_len·ref_rows·ref_grid_w) and their correlation
    # (n·rows·grid_w·ref_rows·ref_grid_w) each stay within the budget.
    in_rows = _clamp(chunk_elements // (n * grid_w * max(patch_len,
                                                         ref_grid_w)),
                     grid_h)
    ref_rows = _clamp(
        chunk_elements // (n * ref_grid_w * max(in_rows * grid_w,
                                                patch_len)), ref_grid_h)

    scores, indices = [], []
    for y0 in range(0, grid_h, in_rows):
        y1 = min(grid_h, y0 + in_rows)
        patches_in = F.unfold(feat_in[:, :, y0:y1 + PATCH - 1], PATCH)
        patches_in = patches_in.transpose(1, 2)  # (N, P, C*9)
        best_score = best_index = None
        for r0 in range(0, ref_grid_h, ref_rows):
            r1 = min(ref_grid_h, r0 + ref_rows)
            ref_band = _normalized_ref_patches(
                feat_ref[:, :, r0:r1 + PATCH - 1])
            score, index = torch.bmm(patches_in, ref_band).max(dim=2)
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
    return (torch.cat(indices, 1).view(shape),
            torch.cat(scores, 1).view(shape))


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
    flow = F.pad(flow.float(), (0, 0, 0, w - index.shape[2], 0,
                                h - index.shape[1]))
    return flow


def shifted_offsets(flow: torch.Tensor, scale: int) -> torch.Tensor:
    """The nine shifted copies of an upscaled flow (spec §5.1, steps 5-6).

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
        scales (dict): Output name -> upscaling of the relu3_1 flow.
    """

    def __init__(self,
                 chunk_elements: int = 2**26,
                 scales: Dict[str, int] = None) -> None:
        super().__init__()
        if chunk_elements < 1:
            raise ValueError(f'chunk_elements must be >= 1, got {chunk_elements}')
        self.chunk_elements = chunk_elements
        self.scales = scales or dict(relu3_1=1, relu2_1=2, relu1_1=4)

    @torch.no_grad()
    def forward(self, feat_in: torch.Tensor,
                feat_ref: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Args:
            feat_in (Tensor): Student features of ``img_lq_up`` (N, C, h, w).
            feat_ref (Tensor): Student features of ``ref`` (N, C, hr, wr).

        Returns:
            dict[str, Tensor]: Pre-offsets per VGG layer, each
            (N, 9, h*s, w*s, 2) with last dim (x, y).
        """
        feat_in = l2_normalize_channels(feat_in.float())
        feat_ref = l2_normalize_channels(feat_ref.float())
        index, _ = match_patches(feat_in, feat_ref, self.chunk_elements)
        flow = index_to_flow(index, feat_ref.shape[-1], feat_in.shape[-2:])
        return {
            name: shifted_offsets(flow, scale)
            for name, scale in self.scales.items()
        }
