"""Correspondence generation of C²-Matching (docs/method.md §5.1): the
matching's indices as a flow, and the pre-offsets of every scale."""
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmagic.registry import MODELS
from .patch_matching import (AUTO, MATCHINGS, PATCH, l2_normalize_channels,
                             matching_for)
from .precision import full_precision
from .scales import SCALES


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


def region_offsets(flow: torch.Tensor, scale: int, y0: int, y1: int, x0: int,
                   x1: int) -> torch.Tensor:
    """``shifted_offsets(flow, scale)[:, :, y0:y1, x0:x1]``, computed from
    the flow around that region only (a tile of a large image).

    Args:
        flow (Tensor): (N, h, w, 2) flow on the LR grid.
        scale (int): 1, 2 or 4.
        y0, y1, x0, x1 (int): The region, in pixels of the ×``scale`` grid.

    Returns:
        Tensor: (N, 9, y1-y0, x1-x0, 2).
    """
    # copies reach back by up to (PATCH - 1) LR pixels; start that far above
    # and left (or at the edge, where zeros enter as in the whole map)
    top = max(0, y0 // scale - (PATCH - 1))
    left = max(0, x0 // scale - (PATCH - 1))
    bottom = min(flow.shape[1], -(-y1 // scale))
    right = min(flow.shape[2], -(-x1 // scale))
    copies = shifted_offsets(flow[:, top:bottom, left:right], scale)
    dy, dx = y0 - top * scale, x0 - left * scale
    return copies[:, :, dy:dy + y1 - y0, dx:dx + x1 - x0]


def pre_offsets(flow: torch.Tensor) -> Dict[str, torch.Tensor]:
    """The pre-offsets of every scale (``scales.SCALES``) of a flow on the
    LR grid: per VGG layer, (N, 9, h*s, w*s, 2) with last dim (x, y)."""
    return {s.layer: shifted_offsets(flow, s.factor) for s in SCALES}


@MODELS.register_module()
class CorrespondenceGenerator(BaseModule):
    """Dense correspondence from contrastive features to pre-offsets.

    No trainable parameters. Input and reference may differ in size; the
    reference index is decoded with the reference's own width. One set of
    pre-offsets per scale of ``scales.SCALES``. Which implementation of the
    matching runs is the caller's choice (``matching``; the model's
    ``test_cfg.matching``).

    Args:
        chunk_elements (int): Memory budget of one correlation chunk, in
            elements (default 2**26, i.e. 256 MiB in fp32).
    """

    def __init__(self, chunk_elements: int = 2**26) -> None:
        super().__init__()
        if chunk_elements < 1:
            raise ValueError(
                f'chunk_elements must be >= 1, got {chunk_elements}')
        self.chunk_elements = chunk_elements

    @torch.no_grad()
    def flow(self,
             feat_in: torch.Tensor,
             feat_ref: torch.Tensor,
             ref_valid: Optional[torch.Tensor] = None,
             matching: str = AUTO,
             progress: bool = False,
             normalized: bool = False) -> torch.Tensor:
        """The flow on the LR grid (N, h, w, 2), last dim (x, y): from each
        input patch to its best reference patch.

        Args:
            feat_in (Tensor): Student features of ``img_lq_up`` (N, C, h, w).
            feat_ref (Tensor): Student features of ``ref`` (N, C, hr, wr).
            ref_valid (Tensor, optional): (N, hr-2, wr-2) bool, reference
                patches that may be matched (``patch_matching``).
            matching (str): The implementation ('auto' or a name of
                ``patch_matching.MATCHINGS``).
            progress (bool): Show a progress bar over the matching.
            normalized (bool): The features are already float32 and
                channel-normalised (:func:`l2_normalize_channels`): a caller
                short of memory drops the raw maps before matching.
        """
        match = MATCHINGS[matching_for(matching, feat_in.device)].fn
        with full_precision(feat_in.device):
            if not normalized:
                feat_in = l2_normalize_channels(feat_in.float())
                feat_ref = l2_normalize_channels(feat_ref.float())
            index, _ = match(feat_in, feat_ref, self.chunk_elements,
                             ref_valid, progress)
        return index_to_flow(index, feat_ref.shape[-1], feat_in.shape[-2:])

    def forward(self,
                feat_in: torch.Tensor,
                feat_ref: torch.Tensor,
                ref_valid: Optional[torch.Tensor] = None,
                matching: str = AUTO) -> Dict[str, torch.Tensor]:
        """The pre-offsets (:func:`pre_offsets`) of :meth:`flow`'s flow."""
        return pre_offsets(self.flow(feat_in, feat_ref, ref_valid, matching))
