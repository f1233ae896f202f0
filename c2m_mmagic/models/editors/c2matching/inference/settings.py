"""The test-time settings of C²-Matching, read from the model's ``test_cfg``
and validated in one place: the reference budget, the gap between several
references, the tiling, the matching and the precision."""
import dataclasses
from typing import Optional, Tuple

from ..patch_matching import check_matching
from ..precision import PRECISIONS
from ..scales import UPSCALE

# output pixels restored in one pass before tiling starts, by device: a few
# GiB of working memory on a CPU, on a GPU larger tiles keep the halos cheap
DEFAULT_MAX_PIXELS_PER_PASS = dict(cpu=512 * 512, cuda=1024 * 1024)
# largest tile side on the finer grids once tiled, by device: on a CPU the
# finest scale's maps of one 512² tile would hold about 0.9 GiB
MAX_TILE_SIDE = dict(cpu=256, cuda=None)
MIN_TILE = 16  # LR pixels


def device_kind(device) -> str:
    """'cuda' or 'cpu': which column of the per-device defaults applies."""
    return 'cuda' if str(getattr(device, 'type', device)).startswith(
        'cuda') else 'cpu'


@dataclasses.dataclass(frozen=True)
class TestSettings:
    """What ``test_cfg`` says about restoring at test time.

    Attributes:
        max_ref_pixels (int): Largest reference (height × width) accepted;
            its VGG features and the aggregation grow with its area.
        ref_gap (int): With several references, the zero columns between
            them at 1/4 of HR (8: 32 HR pixels).
        max_pixels_per_pass (int, optional): Outputs larger than this many
            pixels are restored in tiles, with the same result; None: the
            device's default (``DEFAULT_MAX_PIXELS_PER_PASS``).
        tile (int, optional): Restore in tiles of this side in LR pixels
            (>= ``MIN_TILE``) whatever the size.
        tile_progress (bool): Progress bars over the matching's bands and
            the tiles of a tiled restoration.
        matching (str): The patch matching's implementation, in training
            and test ('auto' or a name of ``patch_matching.MATCHINGS``).
        precision (str): 'fp32', or 'bf16': the networks under autocast,
            the matching and the deformable convolution in fp32.
    """
    max_ref_pixels: int = 4096 * 4096
    ref_gap: int = 8
    max_pixels_per_pass: Optional[int] = None
    tile: Optional[int] = None
    tile_progress: bool = True
    matching: str = 'auto'
    precision: str = 'fp32'

    def __post_init__(self) -> None:
        for name in ('max_ref_pixels', 'max_pixels_per_pass'):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int)
                                      or value < 1):
                raise ValueError(f'C2Matching: test_cfg.{name} must be a '
                                 f'positive number of pixels, got {value!r}')
        if not isinstance(self.ref_gap, int) or self.ref_gap < 0:
            raise ValueError('C2Matching: test_cfg.ref_gap must be a number '
                             f'of feature columns >= 0, got {self.ref_gap!r}')
        if self.tile is not None and (not isinstance(self.tile, int)
                                      or self.tile < MIN_TILE):
            raise ValueError(f'C2Matching: test_cfg.tile must be at least '
                             f'{MIN_TILE} LR pixels, got {self.tile}')
        check_matching(self.matching, 'C2Matching: test_cfg.matching')
        if self.precision not in PRECISIONS:
            raise ValueError(f'C2Matching: test_cfg.precision must be one of '
                             f'{sorted(PRECISIONS)}, got {self.precision!r}')

    @classmethod
    def from_cfg(cls, test_cfg: Optional[dict]) -> 'TestSettings':
        """The settings of a ``test_cfg`` dict; unknown keys are refused by
        name."""
        test_cfg = dict(test_cfg or {})
        known = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(test_cfg) - set(known))
        if unknown:
            raise ValueError(f'C2Matching: unknown test_cfg key(s) {unknown}'
                             f'; known: {known}')
        return cls(**test_cfg)

    def updated(self, **changes) -> 'TestSettings':
        """These settings with ``changes`` (validated like ``test_cfg``)."""
        return self.from_cfg({**dataclasses.asdict(self), **changes})

    def pixel_budget(self, device) -> int:
        """Output pixels restored in one pass on ``device``."""
        return self.max_pixels_per_pass or DEFAULT_MAX_PIXELS_PER_PASS[
            device_kind(device)]

    def tiling(self, height: int, width: int, device) -> Tuple[int, str]:
        """The tile side (LR pixels; 0: one pass) for an LR image of height
        × width on ``device``, and why."""
        budget = self.pixel_budget(device)
        if self.tile:
            return self.tile, 'test_cfg.tile'
        if height * width * UPSCALE**2 > budget:
            return (max(MIN_TILE, int(budget**0.5) // UPSCALE),
                    f'more than max_pixels_per_pass {budget} output pixels')
        return 0, (f'within max_pixels_per_pass {budget} output pixels: '
                   'one pass')

    @staticmethod
    def max_tile_side(device) -> Optional[int]:
        """Largest tile side on the finer grids (``MAX_TILE_SIDE``)."""
        return MAX_TILE_SIDE[device_kind(device)]
