"""The 3×3 patch matching of C²-Matching (docs/method.md §5.1): for every
input patch, the reference patch of the highest score. One definition, its
float64 oracle (``oracle``), and its implementations by name (``registry``):

- ``pixel`` (``pixel.py``): pixel products in fp32 and shifted sums, the
  fastest on a CPU;
- ``rescored`` (``rescored.py``): whole-patch candidates in bf16, the best
  few re-scored in fp32, compute-bound on a GPU;
- ``fused`` (``fused.py``, ``fused_kernels.py``): Triton kernels on CUDA,
  fp16 scores kept on chip with a running top-8, re-scored in fp32;
- ``release`` (``release.py``): the authors' conv2d formulation, the
  benchmark's yardstick;
- ``hierarchical`` (``hierarchical.py``): opt-in for large photos, an exact
  coarse search refined around its best candidates, cost about linear in
  the pixels.
"""
from .fused import match_patches_fused
from .hierarchical import match_patches_hierarchical
from .oracle import brute_force_match
from .patches import PATCH, check_sizes, l2_normalize_channels, ref_patch_norms
from .pixel import match_patches
from .registry import (AUTO, MATCHINGS, Matching, auto_matching,
                       check_matching, matching_choices, matching_for,
                       matching_help, register_matching)
from .release import release_match
from .rescored import match_patches_rescored

__all__ = [
    'AUTO', 'MATCHINGS', 'Matching', 'PATCH', 'auto_matching',
    'brute_force_match', 'check_matching', 'check_sizes',
    'l2_normalize_channels', 'match_patches', 'match_patches_fused',
    'match_patches_hierarchical',    'match_patches_rescored',
    'matching_choices', 'matching_for', 'matching_help', 'ref_patch_norms',
    'register_matching', 'release_match'
]
