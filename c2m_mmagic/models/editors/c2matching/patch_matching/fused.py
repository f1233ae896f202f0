"""The fused matching (CUDA, Triton): every input patch against every
reference patch with the scores kept on chip (never written to memory), a
running top-k per input patch, then the k candidates re-scored in fp32 so
that the chosen index is the fp32 one unless the true best falls outside
them (``device_accuracy`` measures how often; the tests run the kernels
under ``TRITON_INTERPRET=1`` against the float64 oracle).

Cost: the same 2·P·Q·9C multiply-adds as the whole-patch matrix product
(P, Q: input and reference patches), on tensor cores in fp16, in one launch
whatever the size, with memory O(P·k) beyond the features (no bands).
"""
import os
from typing import Optional, Tuple

import torch

from .patches import PATCH, check_sizes, ref_patch_norms
from .registry import register_matching

# block sizes: on a GPU, tiles that keep the tensor cores busy; under the
# interpreter larger channel blocks mean fewer (slow) Python-level steps
GPU_BLOCKS = dict(BLOCK_M=64, BLOCK_N=64, BLOCK_C=64)
INTERPRETER_BLOCKS = dict(BLOCK_M=64, BLOCK_N=64, BLOCK_C=128)


def channels_last(feat: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """(N, C, H, W) as a contiguous (N, H, W, C) of ``dtype``."""
    return feat.permute(0, 2, 3, 1).to(dtype).contiguous()


@register_matching(
    'fused', 'fp16 scores on chip with a running top-8 (Triton, CUDA), '
    're-scored in fp32', devices=('cuda', ))
def match_patches_fused(
        feat_in: torch.Tensor,
        feat_ref: torch.Tensor,
        chunk_elements: int = 2**26,
        ref_valid: Optional[torch.Tensor] = None,
        progress: bool = False,
        candidates: int = 8,
        blocks: Optional[dict] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """:func:`~.pixel.match_patches` by two Triton kernels (module
    docstring).

    Args:
        feat_in (Tensor): (N, C, h, w), already channel-normalised.
        feat_ref (Tensor): (N, C, hr, wr), already channel-normalised.
        chunk_elements (int): Unused: nothing is banded.
        ref_valid (Tensor, optional): (N, hr-2, wr-2) bool, the reference
            patches that may be matched.
        progress (bool): Unused: one launch.
        candidates (int): Candidates kept per input patch and re-scored (a
            power of two).
        blocks (dict, optional): Triton block sizes (``BLOCK_M``,
            ``BLOCK_N``, ``BLOCK_C``); default by where it runs.

    Returns:
        tuple[Tensor]: ``index`` (N, h-2, w-2) int64 and ``score``
        (N, h-2, w-2), as :func:`~.pixel.match_patches`.
    """
    interpreted = os.environ.get('TRITON_INTERPRET') == '1'
    if feat_in.device.type != 'cuda' and not interpreted:
        raise ValueError('the fused matching runs on CUDA (or, for tests, '
                         "under Triton's interpreter: TRITON_INTERPRET=1); "
                         f'got {feat_in.device.type} tensors')
    import triton

    from . import fused_kernels
    check_sizes(feat_in, feat_ref)
    if candidates & (candidates - 1):
        raise ValueError(f'candidates must be a power of two, got '
                         f'{candidates}')
    n, c, h, w = feat_in.shape
    hr, wr = feat_ref.shape[-2:]
    gw, gwr = w - PATCH + 1, wr - PATCH + 1
    p, q = (h - PATCH + 1) * gw, (hr - PATCH + 1) * gwr
    k = candidates
    blocks = blocks or (INTERPRETER_BLOCKS if interpreted else GPU_BLOCKS)
    inv_norm = (1. / (ref_patch_norms(feat_ref) + 1e-5)).flatten(1)
    inv_norm = inv_norm.float().contiguous()
    valid = (ref_valid.flatten(1).to(torch.int8).contiguous()
             if ref_valid is not None else inv_norm)  # unread without mask
    sizes = (h, w, hr, wr, c, gw, gwr, p, q)
    grid = (triton.cdiv(p, blocks['BLOCK_M']), n)
    index = torch.empty(n, p, k, dtype=torch.int32, device=feat_in.device)
    approx = torch.empty(n, p, k, dtype=torch.float32, device=feat_in.device)
    fused_kernels.candidates_kernel[grid](
        channels_last(feat_in, torch.float16),
        channels_last(feat_ref, torch.float16), inv_norm, valid, index,
        approx, *sizes, HAS_VALID=ref_valid is not None, TOPK=k, **blocks)
    exact = torch.empty_like(approx)
    fused_kernels.rescore_kernel[grid](
        channels_last(feat_in, torch.float32),
        channels_last(feat_ref, torch.float32), inv_norm, index, approx,
        exact, *sizes, BLOCK_M=blocks['BLOCK_M'],
        BLOCK_C=blocks['BLOCK_C'], TOPK=k)
    # the lowest index among the best: candidates in index order, the first
    # maximum
    index, order = index.long().sort(dim=2)
    score, best = exact.gather(2, order).max(2)
    shape = (n, h - PATCH + 1, gw)
    return index.gather(2, best[..., None]).view(shape), score.view(shape)
