"""The three scales of C²-Matching's restoration (docs/method.md §5.1), the
one definition the generator, the correspondence, the reference features and
the several-reference mosaic derive from."""
from typing import NamedTuple

UPSCALE = 4  # HR pixels per LR pixel (the LR grid is the matching's grid)


class Scale(NamedTuple):
    """One scale of the restoration network.

    Attributes:
        name (str): Prefix of the generator's modules of this scale
            (``small_offset_conv1``, ``small_dyn_agg`` ...).
        layer (str): VGG19 layer of the reference features it aggregates.
        channels (int): Channels of that layer.
        factor (int): Resolution relative to the LR grid, on which the
            matching's flow lives (the flow is enlarged by it).
    """
    name: str
    layer: str
    channels: int
    factor: int


# coarse to fine
SCALES = (
    Scale('small', 'relu3_1', 256, 1),
    Scale('medium', 'relu2_1', 128, 2),
    Scale('large', 'relu1_1', 64, 4),
)
REFERENCE_LAYERS = tuple(s.layer for s in SCALES)
