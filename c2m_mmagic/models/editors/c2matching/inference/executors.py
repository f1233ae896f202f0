"""The two executors of the last stage, the generator (docs/method.md §8):
one pass over the whole image (training, and outputs within the pixel
budget), or tile by tile in bounded memory with the same result. Each also
says how its matching features are computed (whole or in row bands)."""
from typing import Optional

import torch

from ..correspondence import pre_offsets
from ..reference_mosaic import mosaic_maps
from .reference_maps import reference_maps
from .stages import Networks, SearchSpace, unwrapped
from .tiled_generator import TiledGenerator

# bound on one band of the VGG passes over a large image (elements of its
# widest map)
BAND_ELEMENTS = 2**25


class OnePass:
    """The generator over the whole image, the reference's VGG19 maps held
    whole: the training path, and test outputs within the pixel budget."""

    band_elements: Optional[int] = None  # the VGG passes in one piece
    progress = False

    def generate(self, nets: Networks, inputs: torch.Tensor,
                 flow: torch.Tensor, space: SearchSpace) -> torch.Tensor:
        """The restored image (N, 3, 4h, 4w) of LR ``inputs`` (N, 3, h, w)
        from the flow on the LR grid (N, h, w, 2); gradients reach the
        generator only."""
        with torch.no_grad():
            ref_feats = mosaic_maps(
                [nets.ref_extractor(ref) for ref in space.covering],
                space.layout)
            offsets = pre_offsets(flow)
        return nets.generator(inputs, offsets, ref_feats)


class Tiled:
    """The generator tile by tile (``tiled_generator``), the reference's
    maps in bounded memory (``reference_maps``), the VGG passes in bands.

    Args:
        tile (int): Tile side in LR pixels.
        max_side (int, optional): Largest tile side on the finer grids.
        progress (bool): Progress bars over the matching's bands and the
            tiles.
    """

    band_elements = BAND_ELEMENTS

    def __init__(self, tile: int, max_side: Optional[int],
                 progress: bool) -> None:
        self.tile, self.max_side, self.progress = tile, max_side, progress

    @torch.no_grad()
    def generate(self, nets: Networks, inputs: torch.Tensor,
                 flow: torch.Tensor, space: SearchSpace) -> torch.Tensor:
        """:meth:`OnePass.generate`, tile by tile (no gradients)."""
        maps = reference_maps(nets.ref_extractor, space.covering,
                              space.layout, BAND_ELEMENTS)
        return TiledGenerator(unwrapped(nets.generator), self.tile,
                              progress=self.progress,
                              max_side=self.max_side)(inputs, flow, maps)
