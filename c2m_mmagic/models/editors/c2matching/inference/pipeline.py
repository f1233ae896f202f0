"""C²-Matching's forward pass, written once (docs/method.md §5, §8):

1. matching features: the contrastive student's maps of the upsampled input
   and of each reference, normalised, in fp32 (``stages``);
2. search space: one reference, or several laid out as a mosaic with the
   patches that may be matched (``stages``, ``reference_mosaic``);
3. correspondence: the matching (``patch_matching``, chosen by
   ``test_cfg.matching``) and its flow on the LR grid (``correspondence``);
4. generator: the restoration network, run by an executor
   (``executors``): in one pass, or tile by tile for a large output.

Training runs the same stages in one pass; at test time the settings
(``settings.TestSettings``: budgets, tiling, matching, precision) choose the
executor and the precision, and the inputs are checked first.
"""
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.logging import print_log

from ..patch_matching import MATCHINGS, matching_for
from ..precision import network_precision
from ..scales import UPSCALE
from .executors import OnePass, Tiled
from .settings import TestSettings, device_kind
from .stages import (Networks, correspondence_flow, matching_features,
                     reference_search_space, unwrapped)
from .tiled_generator import grid_tile_side, tile_halos


# (input, reference) 3x3 patch pairs the exact search scores per second,
# measured: the pixel matching on a 2-core EPYC (2048² output and reference:
# 17 min), the rescored one on an H200 (2048²: 2.0 s)
EXACT_PAIRS_PER_SECOND = dict(cpu=6.7e7, cuda=3.4e10)
ADVISE_ABOVE_SECONDS = 60
# the hierarchical matching's accuracy, measured (README, "Large photos")
HIERARCHICAL_ACCURACY = (
    "on the stereo pair it chose the exact search's patch at 81% of "
    'positions (97% within 1% of its score) and its output scored 0.06 dB '
    'from the exact one\'s (README, "Large photos in minutes")')


class InferencePipeline:
    """Runs the stages (module docstring) under a model's test settings.

    Args:
        settings (TestSettings): From the model's ``test_cfg``.
    """

    def __init__(self, settings: TestSettings) -> None:
        self.settings = settings
        self._logged = dict(matching=None, tiling=None, advice=None)

    def __call__(self, nets: Networks, inputs: torch.Tensor,
                 img_lq_up: torch.Tensor, refs: List[torch.Tensor],
                 training: bool) -> torch.Tensor:
        """The restored image.

        Args:
            nets (Networks): The model's networks.
            inputs (Tensor): LR images (N, 3, h, w) in [0, 1].
            img_lq_up (Tensor): (N, 3, 4h, 4w), the LR images upsampled.
            refs (list[Tensor]): References (N, 3, Hr_k, Wr_k) in [0, 1].
            training (bool): One pass in the context's precision, gradients
                to the generator; else the test settings apply.

        Returns:
            Tensor: (N, 3, 4h, 4w), nominally in [0, 1].
        """
        if training:
            return self.run(nets, inputs, img_lq_up, refs, OnePass())
        self.check_inputs(inputs, refs)
        advice = matching_advice(
            self.settings, inputs.shape[-2:],
            [(r.shape[-2] // UPSCALE, r.shape[-1] // UPSCALE) for r in refs],
            inputs.device)
        if advice and self._logged['advice'] != advice:
            self._logged['advice'] = advice
            print_log(f'C2Matching: {advice}', 'current')
        executor = self.executor(inputs, unwrapped(nets.generator))
        with network_precision(inputs.device, self.settings.precision):
            return self.run(nets, inputs, img_lq_up, refs, executor).float()

    def run(self, nets: Networks, inputs: torch.Tensor,
            img_lq_up: torch.Tensor, refs: List[torch.Tensor],
            executor) -> torch.Tensor:
        """The four stages, the last by ``executor``."""
        with torch.no_grad():
            feat_in, feats_ref = matching_features(nets.extractor, img_lq_up,
                                                   refs,
                                                   executor.band_elements)
            space = reference_search_space(feats_ref, refs,
                                           img_lq_up.shape[-2:],
                                           self.settings.ref_gap)
            del feats_ref
            flow = correspondence_flow(nets.correspondence, feat_in, space,
                                       self.matching(inputs.device),
                                       executor.progress)
            del feat_in
        space = space._replace(feat_ref=None, valid=None)  # memory
        return executor.generate(nets, inputs, flow, space)

    def matching(self, device) -> str:
        """The matching in force on ``device``; logged when it changes."""
        name = matching_for(self.settings.matching, device)
        if self._logged['matching'] != name:
            self._logged['matching'] = name
            print_log(
                f'C2Matching: {name} matching ({MATCHINGS[name].summary}) on '
                f'{device_kind(device)} (test_cfg.matching='
                f'{self.settings.matching!r})', 'current')
        return name

    def executor(self, inputs: torch.Tensor, generator: torch.nn.Module):
        """One pass, or tiles of ``generator`` (the choice logged the first
        time)."""
        tile, why = self.settings.tiling(*inputs.shape[-2:], inputs.device)
        if not tile:
            return OnePass()
        max_side = self.settings.max_tile_side(inputs.device)
        if self._logged['tiling'] is None:
            self._logged['tiling'] = tile
            halos = tile_halos(generator.num_blocks)
            finest = grid_tile_side(tile, UPSCALE, max_side)
            print_log(
                f'C2Matching: tiled restoration ({why}): tiles of {tile} LR '
                f'pixels ({finest} pixels at the finest scale) with halos of '
                f"{halos['content']} (content), {halos['scale']} and "
                f"{halos['last_scale']} (scales) pixels; global matching; "
                'reference relu3_1/relu2_1 kept, relu1_1 computed where read',
                'current')
        return Tiled(tile, max_side, self.settings.tile_progress)

    def check_inputs(self, img: torch.Tensor,
                     refs: List[torch.Tensor]) -> None:
        """Refuses a reference over the pixel budget and non-finite
        images."""
        limit = self.settings.max_ref_pixels
        for ref in refs:
            if ref.shape[-2] * ref.shape[-1] > limit:
                raise ValueError(
                    f'C2Matching: the reference is {ref.shape[-1]}x'
                    f'{ref.shape[-2]} pixels, more than the budget of {limit}'
                    ' (model.test_cfg.max_ref_pixels); shrink it or raise '
                    'the budget')
        for name, t in [('input', img)] + [('reference', r) for r in refs]:
            if not bool(torch.isfinite(t).all()):
                raise ValueError(
                    f'C2Matching: the {name} image holds NaN or Inf values')


def duration(seconds: float) -> str:
    """'42 s', '3 min', '2.5 h'."""
    if seconds < 90:
        return f'{seconds:.0f} s'
    if seconds < 5400:
        return f'{seconds / 60:.0f} min'
    return f'{seconds / 3600:.1f} h'


def matching_advice(settings: TestSettings, lr_size: Tuple[int, int],
                    ref_sizes: Sequence[Tuple[int, int]],
                    device) -> Optional[str]:
    """Where the exact search would take long (at the measured rate of
    ``EXACT_PAIRS_PER_SECOND``): how long, and that the hierarchical one
    is there, with its measured accuracy; None otherwise. The exact search
    stays the default: this only says so.

    Args:
        settings (TestSettings): The settings in force.
        lr_size (tuple[int]): (h, w) of the LR input (the matching's grid).
        ref_sizes (Sequence[tuple]): (h, w) of each reference at 1/4 of HR.
        device: Where it runs.
    """
    if settings.matching == 'hierarchical':
        return None
    pairs = max(0, lr_size[0] - 2) * max(0, lr_size[1] - 2) * sum(
        max(0, h - 2) * max(0, w - 2) for h, w in ref_sizes)
    seconds = pairs / EXACT_PAIRS_PER_SECOND[device_kind(device)]
    if seconds < ADVISE_ABOVE_SECONDS:
        return None
    return (f'the exact matching takes about {duration(seconds)} here '
            f'({pairs:.2e} patch pairs); the hierarchical one (--matching '
            "hierarchical, test_cfg.matching='hierarchical') grows about "
            f'linearly with the pixels: {HIERARCHICAL_ACCURACY}.')


def describe_tiling(settings: TestSettings,
                    height: int,
                    width: int,
                    device,
                    ref_sizes: Sequence[Tuple[int, int]] = ()) -> str:
    """What a restoration of an LR image of height × width (with references
    of ``ref_sizes``, HR (h, w)) will do, in one line (for a page or a
    log)."""
    tile, why = settings.tiling(height, width, device)
    done = f'restored in tiles of {tile} LR pixels ({why})' if tile else why
    advice = matching_advice(
        settings, (height, width),
        [(h // UPSCALE, w // UPSCALE) for h, w in ref_sizes], device)
    return (f'{width * UPSCALE}x{height * UPSCALE} output, {done}; '
            f'references up to {settings.max_ref_pixels} pixels.' +
            (f' Matching: {advice}' if advice else ''))

