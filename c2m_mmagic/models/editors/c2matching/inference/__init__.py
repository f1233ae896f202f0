"""C²-Matching at test time: the forward pass as stages (``stages``), two
executors of its generator (``executors``: one pass, tiles), the settings
read from ``test_cfg`` (``settings``) and the pipeline that runs them
(``pipeline``)."""
from .executors import BAND_ELEMENTS, OnePass, Tiled
from .pipeline import InferencePipeline, describe_tiling
from .settings import (DEFAULT_MAX_PIXELS_PER_PASS, MAX_TILE_SIDE, MIN_TILE,
                       TestSettings)
from .stages import Networks, SearchSpace

__all__ = [
    'BAND_ELEMENTS', 'DEFAULT_MAX_PIXELS_PER_PASS', 'InferencePipeline',
    'MAX_TILE_SIDE', 'MIN_TILE', 'Networks', 'OnePass', 'SearchSpace',
    'TestSettings', 'Tiled', 'describe_tiling'
]
