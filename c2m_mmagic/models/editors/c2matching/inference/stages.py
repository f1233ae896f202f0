"""The first stages of C²-Matching's forward pass, shared by both executors
(docs/method.md §5.1, §8): the matching features, the search space of one or
several references, and the correspondence (the matching's flow)."""
from typing import List, NamedTuple, Optional, Tuple

import torch

from ....archs import banded_trunk_features
from .....utils import pad_to
from ..patch_matching import l2_normalize_channels
from ..precision import full_precision
from ..reference_mosaic import MosaicLayout, mosaic_layout, search_space
from ..scales import UPSCALE


class Networks(NamedTuple):
    """The networks a restoration runs (the editor's modules).

    Attributes:
        extractor (ContrasExtractor): The frozen contrastive student.
        ref_extractor (RefVGGExtractor): The frozen VGG19.
        correspondence (CorrespondenceGenerator): The matching's flow.
        generator (C2MatchingNet): The restoration network.
    """
    extractor: torch.nn.Module
    ref_extractor: torch.nn.Module
    correspondence: torch.nn.Module
    generator: torch.nn.Module


class SearchSpace(NamedTuple):
    """Where the input's patches are searched.

    Attributes:
        feat_ref (Tensor): (N, C, H, W) normalised matching features of the
            reference, or of several laid out as a mosaic.
        valid (Tensor, optional): (N, H-2, W-2) bool, the patches inside one
            reference (None: all).
        layout (MosaicLayout, optional): The mosaic (None: one reference).
        covering (list[Tensor]): Each reference (N, 3, Hr_k, Wr_k) in
            [0, 1], zero-padded to cover the input as the release pads it
            for its VGG19 features.
    """
    feat_ref: torch.Tensor
    valid: Optional[torch.Tensor]
    layout: Optional[MosaicLayout]
    covering: List[torch.Tensor]


def unwrapped(module: torch.nn.Module) -> torch.nn.Module:
    """``module`` without a distributed wrapper around it (tiles call the
    generator's parts, which a wrapper does not expose)."""
    return getattr(module, 'module', module)


def branch_features(branch: torch.nn.Module, img: torch.Tensor,
                    band_elements: Optional[int]) -> torch.Tensor:
    """A correspondence-network branch (VGG16 to conv3_1) of ``img``, in
    one pass or, for a large image, in bands of rows (the same values)."""
    if band_elements is None:
        return branch(img)
    return banded_trunk_features(branch.model, branch.normalize(img),
                                 ['conv3_1'], band_elements)['conv3_1']


def matching_features(
        extractor: torch.nn.Module, img_lq_up: torch.Tensor,
        refs: List[torch.Tensor], band_elements: Optional[int] = None
) -> Tuple[torch.Tensor, List[torch.Tensor]]:
    """Stage 1: the contrastive student's features of the input and of each
    reference, channel-normalised as they come (the raw maps are not kept)
    and in fp32 whatever the autocast around.

    Args:
        extractor (ContrasExtractor): The student.
        img_lq_up (Tensor): (N, 3, 4h, 4w) the LR image upsampled, [0, 1].
        refs (list[Tensor]): References (N, 3, Hr_k, Wr_k) in [0, 1].
        band_elements (int, optional): Compute the VGG passes in bands of
            rows of at most about this many elements (None: one pass).

    Returns:
        tuple: (N, 256, h, w) and one (N, 256, Hr_k/4, Wr_k/4) per reference.
    """
    with full_precision(img_lq_up.device):
        feat_in = l2_normalize_channels(
            branch_features(extractor.feature_extraction_image1, img_lq_up,
                            band_elements).float())
        feats_ref = [
            l2_normalize_channels(
                branch_features(extractor.feature_extraction_image2, ref,
                                band_elements).float()) for ref in refs
        ]
    return feat_in, feats_ref


def reference_search_space(feats_ref: List[torch.Tensor],
                           refs: List[torch.Tensor], input_size: Tuple[int,
                                                                       int],
                           gap: int) -> SearchSpace:
    """Stage 2: the search space of one reference, or of several laid out as
    a mosaic (``reference_mosaic``) whose slots fit each reference padded to
    cover the input.

    Args:
        feats_ref (list[Tensor]): Stage 1's reference features.
        refs (list[Tensor]): The references (N, 3, Hr_k, Wr_k).
        input_size (tuple[int]): (H, W) of the upsampled input.
        gap (int): Zero columns between references at 1/4 of HR.
    """
    covering = [pad_to(ref, *input_size) for ref in refs]
    layout = None if len(refs) == 1 else mosaic_layout(
        [(r.shape[-2] // UPSCALE, r.shape[-1] // UPSCALE) for r in covering],
        gap)
    feat_ref, valid = search_space(feats_ref, layout)
    return SearchSpace(feat_ref, valid, layout, covering)


def correspondence_flow(correspondence: torch.nn.Module,
                        feat_in: torch.Tensor, space: SearchSpace,
                        matching: str, progress: bool) -> torch.Tensor:
    """Stage 3: the matching's flow on the LR grid (N, h, w, 2), from each
    input patch to its best patch of the search space."""
    return correspondence.flow(feat_in, space.feat_ref, space.valid,
                               matching=matching, progress=progress,
                               normalized=True)
