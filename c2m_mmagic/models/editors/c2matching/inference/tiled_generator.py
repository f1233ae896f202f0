"""The generator run tile by tile, for large images in bounded memory, with
the untiled result (docs/method.md §8): the last stage of the tiled
executor.

The matching stays global (every input patch searched the whole reference
before this runs: the flow is the untiled one) and the aggregation samples
the whole reference (``reference_maps``); only the grid the generator
computes is cut into tiles. The network runs one stage at a time, each over
its own grid in tiles of ``tile`` LR pixels (×2, ×4 at the finer scales, at
most ``max_side`` pixels: on a CPU their 64-channel maps are most of the
working memory, about 0.9 GiB for one 512² tile and its halo),
and keeps between stages only what the next one reads: the content features
and the small scale's pre-tail features at LR, the medium scale's at 2×
(about 100 bytes per output pixel, against 1.4 KB for one pass).

Halo. A tile is computed from a region ``halo`` pixels larger on every side
(clipped at the image's edges, where the convolutions' own zero padding
applies as in one pass) and only its interior is kept. The halo of each stage
is the radius of its receptive field on the grid it reads, so every kept
value sees exactly the inputs it sees untiled:

- content extractor: its first conv and B residual blocks of two 3×3 convs,
  ``1 + 2B``;
- a scale up to its tail: the aggregation at p reads the condition at p only
  (offsets and mask), which reads the features within 3 (two convs and the
  offset/mask conv); then the head (1) and B blocks (2B): ``2B + 4``;
- the finest scale also runs its tail, two 3×3 convs: ``2B + 6``;
- the tails of the coarser scales (one 3×3 conv, then ×2 pixel shuffle) are
  recomputed from the stored features with one pixel more, and the bilinear
  ×4 base from the LR image with two.

The pre-offsets of a region come from the flow around it
(``correspondence.region_offsets``), the reference features at its own
positions (the condition) from a crop, and the aggregation samples the
reference where the offsets point, from the tile's absolute positions.
"""
from typing import Iterator, Optional, Tuple

import torch
from tqdm import tqdm

from ....archs import modulate_and_project, sampling_positions
from ..c2matching_net import C2MatchingNet
from ..correspondence import region_offsets
from ..scales import SCALES, UPSCALE, Scale
from .reference_maps import ReferenceMaps

Region = Tuple[int, int, int, int]  # y0, y1, x0, x1


def tile_halos(num_blocks: int) -> dict:
    """The halo of each stage, in pixels of its grid (module docstring)."""
    return dict(content=1 + 2 * num_blocks,
                scale=2 * num_blocks + 4,
                last_scale=2 * num_blocks + 6)


def grid_tile_side(tile: int, factor: int, max_side: Optional[int]) -> int:
    """The tile side on the grid ``factor`` times finer than LR: ``tile`` ×
    ``factor``, at most ``max_side`` (never below ``tile``; None: no cap)."""
    if max_side is None:
        return tile * factor
    return min(tile * factor, max(tile, max_side))


def tiles(height: int, width: int, side: int) -> Iterator[Region]:
    """The tiles of a height × width grid, row by row."""
    for y0 in range(0, height, side):
        for x0 in range(0, width, side):
            yield y0, min(height, y0 + side), x0, min(width, x0 + side)


def grown(region: Region, halo: int, height: int, width: int) -> Region:
    """``region`` with ``halo`` more on every side, within the grid."""
    y0, y1, x0, x1 = region
    return (max(0, y0 - halo), min(height, y1 + halo), max(0, x0 - halo),
            min(width, x1 + halo))


def inner(t: torch.Tensor, region: Region, outer: Region) -> torch.Tensor:
    """The part of ``t`` (computed over ``outer``) that covers ``region``."""
    y0, y1, x0, x1 = region
    return t[..., y0 - outer[0]:y1 - outer[0], x0 - outer[2]:x1 - outer[2]]


def coarser(region: Region, factor: int, margin: int, height: int,
            width: int) -> Region:
    """The region of a ``factor`` times coarser grid (height × width) that
    covers ``region``, with ``margin`` more on every side."""
    y0, y1, x0, x1 = region
    return (max(0, y0 // factor - margin),
            min(height, -(-y1 // factor) + margin),
            max(0, x0 // factor - margin),
            min(width, -(-x1 // factor) + margin))


def scaled(region: Region, factor: int) -> Region:
    return tuple(v * factor for v in region)


class TiledGenerator:
    """Runs a :class:`C2MatchingNet` tile by tile (module docstring).

    Args:
        net (C2MatchingNet): The generator.
        tile (int): Tile side in LR pixels (×2 and ×4 at the finer scales).
        max_elements (int): Bound on the aggregation's sample buffer (N ×
            C × 9 × rows × columns) within a tile; rows are taken in bands.
        progress (bool): Show a progress bar over the tiles (tqdm).
        max_side (int, optional): Largest tile side on the finer grids
            (never below ``tile``); None: ``tile`` × the scale factor.
    """

    def __init__(self,
                 net: C2MatchingNet,
                 tile: int,
                 max_elements: int = 2**24,
                 progress: bool = True,
                 max_side: Optional[int] = None) -> None:
        self.net = net
        self.tile = tile
        self.max_elements = max_elements
        self.progress = progress
        self.max_side = max_side
        self.halos = tile_halos(net.num_blocks)

    def side(self, factor: int) -> int:
        """The tile side on the grid ``factor`` times finer than LR."""
        return grid_tile_side(self.tile, factor, self.max_side)

    def passes(self, height: int, width: int) -> int:
        """Tiles computed in all (content, then each scale)."""
        return sum(
            len(list(tiles(height * f, width * f, self.side(f))))
            for f in [1] + [s.factor for s in SCALES])

    @torch.no_grad()
    def __call__(self, x: torch.Tensor, flow: torch.Tensor,
                 ref: ReferenceMaps) -> torch.Tensor:
        """Restores the ×4 image.

        Args:
            x (Tensor): LR image (N, 3, h, w) in [0, 1].
            flow (Tensor): The matching's flow (N, h, w, 2) on the LR grid.
            ref (ReferenceMaps): The reference's features.

        Returns:
            Tensor: (N, 3, 4h, 4w), equal to ``net(x, ...)`` up to rounding.
        """
        n, _, h, w = x.shape
        bar = tqdm(total=self.passes(h, w), desc='restoring tiles',
                   disable=not self.progress)
        feat = self.content(x, bar)
        for index, scale in enumerate(SCALES):
            last = index == len(SCALES) - 1
            size = (h * scale.factor, w * scale.factor)
            result = x.new_empty(n, 3 if last else feat.shape[1], *size)
            halo = self.halos['last_scale' if last else 'scale']
            for region in tiles(*size, self.side(scale.factor)):
                outer = grown(region, halo, *size)
                if index == 0:
                    y0, y1, x0, x1 = outer
                    entering = feat[..., y0:y1, x0:x1]
                else:
                    entering = self.entering(
                        SCALES[index - 1], feat, outer,
                        scale.factor // SCALES[index - 1].factor)
                h_feat = self.scale_features(scale, entering, outer, flow,
                                             ref)
                if last:
                    h_feat = self.net.tail(scale, h_feat) + self.base(
                        x, outer)
                result[..., region[0]:region[1],
                       region[2]:region[3]] = inner(h_feat, region, outer)
                bar.update()
            # what the next scale reads: this one's features before its tail
            ref.release(scale.layer)
            feat = result
        bar.close()
        return feat

    def content(self, x: torch.Tensor, bar) -> torch.Tensor:
        """The content features (N, C, h, w), tile by tile."""
        n, _, h, w = x.shape
        out = None
        for region in tiles(h, w, self.tile):
            outer = grown(region, self.halos['content'], h, w)
            y0, y1, x0, x1 = outer
            feat = self.net.content_extractor(x[..., y0:y1, x0:x1])
            if out is None:
                out = feat.new_empty(n, feat.shape[1], h, w)
            out[..., region[0]:region[1], region[2]:region[3]] = inner(
                feat, region, outer)
            bar.update()
        return out

    def entering(self, previous: Scale, stored: torch.Tensor, outer: Region,
                 factor: int) -> torch.Tensor:
        """The features entering a scale over ``outer``: the previous scale's
        tail (a 3×3 conv, ×``factor`` pixel shuffle) of its stored features,
        recomputed with one pixel more."""
        src = coarser(outer, factor, 1, *stored.shape[-2:])
        y0, y1, x0, x1 = src
        feat = self.net.tail(previous, stored[..., y0:y1, x0:x1])
        return inner(feat, outer, scaled(src, factor))

    def scale_features(self, scale: Scale, entering: torch.Tensor,
                       outer: Region, flow: torch.Tensor,
                       ref: ReferenceMaps) -> torch.Tensor:
        """:meth:`C2MatchingNet.scale_features` over ``outer``."""
        y0, y1, x0, x1 = outer
        pre = region_offsets(flow, scale.factor, *outer)
        aggregation = self.net.aggregation(scale)

        def aggregate(cond):
            return self.aggregate(aggregation, scale, ref, cond, pre,
                                  (y0, x0))

        return self.net.scale_features(scale, entering,
                                       ref.crop(scale.layer, *outer),
                                       aggregate)

    def aggregate(self, aggregation, scale: Scale, ref: ReferenceMaps,
                  cond: torch.Tensor, pre: torch.Tensor,
                  origin: Tuple[int, int]) -> torch.Tensor:
        """The dynamic aggregation of a region whose first position is
        ``origin`` of the grid, sampling the whole reference; in bands of
        rows (each band's offsets and mask from the condition one row
        further: a 3×3 conv) that keep the sample buffer within
        ``max_elements``."""
        n, c, h, w = cond.shape
        rows = max(1, self.max_elements // (n * c * 9 * w))
        out = []
        for r0 in range(0, h, rows):
            r1 = min(h, r0 + rows)
            a, b = max(0, r0 - 1), min(h, r1 + 1)
            offset, mask = aggregation.offsets_and_mask(
                cond[..., a:b, :], pre[:, :, a:b], warn=False)
            offset = offset[..., r0 - a:r1 - a, :]
            pos_y, pos_x = sampling_positions(offset, (3, 3), 1, 1, 1,
                                              (origin[0] + r0, origin[1]))
            out.append(
                modulate_and_project(
                    ref.sample(scale.layer, pos_y, pos_x),
                    mask[..., r0 - a:r1 - a, :], aggregation.weight,
                    aggregation.bias))
        return torch.cat(out, dim=-2)

    def base(self, x: torch.Tensor, outer: Region) -> torch.Tensor:
        """The bilinear ×4 base over ``outer`` of the HR grid."""
        src = coarser(outer, UPSCALE, 2, *x.shape[-2:])
        y0, y1, x0, x1 = src
        up = self.net.upsampled(x[..., y0:y1, x0:x1])
        return inner(up, outer, scaled(src, UPSCALE))
