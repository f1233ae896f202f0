"""Several references as one search space, exactly (the multi-reference
option).

Each reference's features are computed alone, as for a single reference,
then laid side by side on a zero canvas with gaps between them, at every
scale (the matching features and VGG19's relu3_1 at 1/4 of HR, relu2_1 at
1/2, relu1_1 at 1). Matching runs on the canvas but may only choose 3×3
patches inside one reference, so it picks each input patch's best patch
among all references; the pre-offsets then point into the canvas, where the
deformable aggregation samples the reference that won. With one reference,
or several copies of one, the result is the single-reference one (ties keep
the earlier reference, left of the others).
"""
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import torch

from .patch_matching import PATCH
from .scales import SCALES


class MosaicLayout(NamedTuple):
    """Where each reference sits, in feature pixels at 1/4 of HR.

    Attributes:
        offsets (list[int]): x of each reference's left edge.
        height (int): Canvas height.
        width (int): Canvas width.
    """
    offsets: List[int]
    height: int
    width: int


def mosaic_layout(slot_sizes: Sequence[Tuple[int, int]],
                  gap: int) -> MosaicLayout:
    """References left to right, ``gap`` zero columns between them.

    Args:
        slot_sizes (Sequence[tuple]): (h, w) of each reference's largest
            map at 1/4 of HR.
        gap (int): Zero columns between references; sampling offsets of the
            aggregation that leave one reference by less than this (×2, ×4
            at the finer scales) read zeros, as outside a single reference.

    Returns:
        MosaicLayout: The layout.
    """
    offsets, x = [], 0
    for _, w in slot_sizes:
        offsets.append(x)
        x += w + gap
    return MosaicLayout(offsets, max(h for h, _ in slot_sizes), x - gap)


def place(maps: Sequence[torch.Tensor], layout: MosaicLayout,
          scale: int) -> torch.Tensor:
    """The maps (N, C, h_k, w_k), each at its offset × ``scale``, on a zero
    canvas (N, C, height × scale, width × scale)."""
    n, c = maps[0].shape[:2]
    canvas = maps[0].new_zeros(n, c, layout.height * scale,
                               layout.width * scale)
    for feat, x in zip(maps, layout.offsets):
        h, w = feat.shape[-2:]
        canvas[..., :h, x * scale:x * scale + w] = feat
    return canvas


def valid_patches(sizes: Sequence[Tuple[int, int]], layout: MosaicLayout,
                  batch: int, device) -> torch.Tensor:
    """(N, height-2, width-2) bool: the 3×3 patch positions of the canvas
    that lie inside one reference map of size ``sizes[k]``."""
    valid = torch.zeros(layout.height - PATCH + 1, layout.width - PATCH + 1,
                        dtype=torch.bool, device=device)
    for (h, w), x in zip(sizes, layout.offsets):
        valid[:h - PATCH + 1, x:x + w - PATCH + 1] = True
    return valid.expand(batch, -1, -1)


def search_space(
    match_feats: List[torch.Tensor], layout: Optional[MosaicLayout]
) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """The matching features of K references as one search space: the one
    reference's own (``layout`` None), or their mosaic and its patches that
    lie inside one reference (N, H-2, W-2)."""
    if layout is None:
        return match_feats[0], None
    feat_ref = place(match_feats, layout, 1)
    return feat_ref, valid_patches([f.shape[-2:] for f in match_feats],
                                   layout, feat_ref.shape[0],
                                   feat_ref.device)


def mosaic_maps(maps: Sequence[Dict[str, torch.Tensor]],
                layout: Optional[MosaicLayout]) -> Dict[str, torch.Tensor]:
    """The VGG19 maps of K references (by layer, ``scales.SCALES``) as the
    aggregation reads them: the one reference's own (``layout`` None), or
    laid out as the mosaic at every scale."""
    if layout is None:
        return maps[0]
    return {
        s.layer: place([m[s.layer] for m in maps], layout, s.factor)
        for s in SCALES
    }
