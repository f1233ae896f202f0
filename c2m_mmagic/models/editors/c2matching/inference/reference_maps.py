"""The reference's VGG19 maps held for a tiled restoration, in bounded
memory (the tiled executor's; the one-pass executor holds them whole).

The dynamic aggregation may sample any position of the reference, so its
features are needed whole; at 4096² a reference's relu1_1, relu2_1 and
relu3_1 maps take 7 GiB in float32, relu1_1 alone 4. Here relu2_1 and relu3_1
are computed in bands of rows and kept (48 floats per reference pixel);
relu1_1, one 3×3 convolution of the normalised image, is never stored: it is
computed where it is needed, on the region a tile reads and at the corners of
the points the aggregation samples, from the normalised image (3 floats per
pixel). Several references are laid out as the mosaic lays them out
(``reference_mosaic``), zero between them. The values are those of the
untiled path up to float rounding.
"""
from typing import Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from ....archs import banded_trunk_features, bilinear_samples
from ..reference_mosaic import MosaicLayout, place
from ..scales import SCALES

ON_DEMAND = SCALES[-1]  # relu1_1: computed where it is read
STORED = tuple(s for s in SCALES if s is not ON_DEMAND)


def window(t: torch.Tensor, y0: int, y1: int, x0: int,
           x1: int) -> torch.Tensor:
    """``t[..., y0:y1, x0:x1]``, zero where that reaches beyond ``t``."""
    h, w = t.shape[-2:]
    inner = t[..., max(0, y0):min(h, y1), max(0, x0):min(w, x1)]
    pads = (max(0, -x0), max(0, x1 - w), max(0, -y0), max(0, y1 - h))
    return F.pad(inner, pads) if any(pads) else inner


class ReferenceMaps:
    """VGG19 features of one reference, or of several laid out as a mosaic,
    read by a tiled restoration: dense crops (the condition of a tile) and
    bilinear samples at any position (the aggregation).

    Args:
        stored (dict[str, Tensor]): relu3_1 and relu2_1, (N, C, H/s, W/s).
        image (Tensor): (N, 3, H, W) normalised image (canvas) relu1_1 is
            computed from.
        conv (nn.Conv2d): VGG19's conv1_1.
        inside (Tensor, optional): (N, 1, H, W) bool, the pixels of the
            canvas that belong to a reference (None: all).
    """

    def __init__(self,
                 stored: Dict[str, torch.Tensor],
                 image: torch.Tensor,
                 conv: nn.Conv2d,
                 inside: Optional[torch.Tensor] = None) -> None:
        self.stored = stored
        self.padded = F.pad(image, (1, 1, 1, 1))  # conv1_1's zero padding
        self.size = tuple(image.shape[-2:])
        self.weight = conv.weight
        self.bias = conv.bias
        self.inside = inside

    def release(self, layer: str) -> None:
        """Frees the stored features of ``layer`` (its scale is done)."""
        self.stored.pop(layer, None)

    def crop(self, layer: str, y0: int, y1: int, x0: int,
             x1: int) -> torch.Tensor:
        """Features of ``layer`` at rows y0:y1 and columns x0:x1 of its grid,
        (N, C, y1-y0, x1-x0), zero outside the reference."""
        if layer != ON_DEMAND.layer:
            return window(self.stored[layer], y0, y1, x0, x1)
        # rows y0..y1-1 read padded rows y0..y1+1
        feat = F.relu(
            F.conv2d(window(self.padded, y0, y1 + 2, x0, x1 + 2),
                     self.weight, self.bias))
        valid = window(self.inside if self.inside is not None else
                       torch.ones((1, 1) + self.size, dtype=torch.bool,
                                  device=feat.device), y0, y1, x0, x1)
        return feat * valid

    def sample(self, layer: str, pos_y: torch.Tensor,
               pos_x: torch.Tensor) -> torch.Tensor:
        """Bilinear samples of ``layer`` (zero outside the reference) at the
        positions of each deformable group, from its own channels.

        Args:
            layer (str): A VGG19 layer of ``scales.SCALES``.
            pos_y, pos_x (Tensor): (N, G, K, Ho, Wo) in pixels of its grid.

        Returns:
            Tensor: (N, G, C/G, K, Ho, Wo).
        """
        if layer != ON_DEMAND.layer:
            return bilinear_samples(self.stored[layer], pos_y, pos_x)
        return self.sample_on_demand(pos_y, pos_x)

    def sample_on_demand(self, pos_y: torch.Tensor,
                         pos_x: torch.Tensor) -> torch.Tensor:
        """:meth:`sample` of relu1_1: each sample is the bilinear mix of the
        four neighbouring pixels, each pixel's features the convolution of
        its 3×3 image patch, for the group's channels only."""
        n, g, points, ho, wo = pos_y.shape
        height, width = self.size
        c = self.weight.shape[0] // g
        flat = self.padded.flatten(2)  # (N, 3, (H+2)(W+2))
        stride = width + 2
        taps = torch.tensor([dy * stride + dx for dy in range(3)
                             for dx in range(3)], device=flat.device)
        top, left = pos_y.floor(), pos_x.floor()
        frac_y, frac_x = pos_y - top, pos_x - left
        out = pos_y.new_zeros(n, g, c, points * ho * wo)
        for dy in (0, 1):
            for dx in (0, 1):
                y, x = (top + dy).long(), (left + dx).long()
                weight = (frac_y if dy else 1 - frac_y) * (
                    frac_x if dx else 1 - frac_x)
                valid = (y >= 0) & (y < height) & (x >= 0) & (x < width)
                y, x = y.clamp(0, height - 1), x.clamp(0, width - 1)
                if self.inside is not None:
                    valid &= self.inside.flatten(1).gather(
                        1, (y * width + x).reshape(n, -1)).view_as(valid)
                weight = (weight * valid).reshape(n, g, 1, -1)
                # the 3×3 patch of each corner: (N, 27, M) per group
                corner = (y * stride + x).reshape(n, g, -1)
                for group in range(g):
                    index = corner[:, group, None, :] + taps[None, :, None]
                    patch = flat.gather(
                        2, index.reshape(n, 1, -1).expand(-1, 3, -1))
                    patch = patch.reshape(n, 27, -1)
                    rows = slice(group * c, (group + 1) * c)
                    feat = torch.relu(
                        self.weight[rows].reshape(c, 27) @ patch +
                        self.bias[rows].view(1, c, 1))
                    out[:, group] += feat * weight[:, group]
        return out.view(n, g, c, points, ho, wo)


def reference_maps(extractor, refs: List[torch.Tensor],
                       layout: Optional[MosaicLayout],
                       max_elements: int) -> ReferenceMaps:
    """The features of K references (each (N, 3, Hr_k, Wr_k) in [0, 1],
    already padded to cover the input) for a tiled restoration.

    Args:
        extractor (RefVGGExtractor): The model's reference VGG19.
        refs (list[Tensor]): The references.
        layout (MosaicLayout, optional): Their mosaic; None for one.
        max_elements (int): Bound on one band of the VGG19 pass.

    Returns:
        ReferenceMaps: The features.
    """
    images = [extractor.normalize(ref) for ref in refs]
    stored = [
        banded_trunk_features(extractor.vgg_net, img,
                              [s.layer for s in STORED], max_elements)
        for img in images
    ]
    conv = extractor.vgg_net.conv1_1
    if layout is None:
        return ReferenceMaps(stored[0], images[0], conv)
    canvases = {
        s.layer: place([f[s.layer] for f in stored], layout, s.factor)
        for s in STORED
    }
    inside = place([torch.ones_like(img[:, :1], dtype=torch.bool)
                    for img in images], layout, ON_DEMAND.factor)
    return ReferenceMaps(canvases,
                             place(images, layout, ON_DEMAND.factor), conv,
                             inside)
