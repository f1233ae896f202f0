"""Modulated deformable convolution (DCNv2) from PyTorch's own operators.

Same semantics and signature as ``mmcv.ops.modulated_deform_conv2d``
(bilinear sampling, zero outside the map, offsets as (Δy, Δx) pairs per
deformable group and kernel point): the samples are gathered with
``grid_sample`` and the convolution is one matrix product. Autograd through
those operators is multi-threaded on the CPU, where mmcv's backward is not:
a 64-channel 64×64 forward + backward takes about a tenth of mmcv's time on
2 cores. C²-Matching uses it for CPU training and mmcv's ops everywhere else.
"""
from typing import Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch.nn.modules.utils import _pair

IntPair = Union[int, Tuple[int, int]]


def modulated_deform_conv2d_pytorch(x: torch.Tensor,
                                    offset: torch.Tensor,
                                    mask: torch.Tensor,
                                    weight: torch.Tensor,
                                    bias: Optional[torch.Tensor],
                                    stride: IntPair = 1,
                                    padding: IntPair = 0,
                                    dilation: IntPair = 1,
                                    groups: int = 1,
                                    deform_groups: int = 1) -> torch.Tensor:
    """DCNv2 output of ``x``.

    Args:
        x (Tensor): (N, C, H, W).
        offset (Tensor): (N, 2*G*K, Ho, Wo); channel 2(Kg+k) is Δy and
            2(Kg+k)+1 is Δx of deformable group g, kernel point k (row-major
            over the kernel).
        mask (Tensor): (N, G*K, Ho, Wo) modulation.
        weight (Tensor): (C_out, C, kh, kw), K = kh*kw.
        bias (Tensor, optional): (C_out,).
        stride, padding, dilation: As for a convolution.
        groups (int): Convolution groups; only 1 is supported.
        deform_groups (int): G; C must be divisible by it.

    Returns:
        Tensor: (N, C_out, Ho, Wo).
    """
    if groups != 1:
        raise ValueError('modulated_deform_conv2d_pytorch: groups must be 1')
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    points, g = kh * kw, deform_groups
    ho, wo = offset.shape[-2:]
    (sy, sx), (py, px), (dy, dx) = _pair(stride), _pair(padding), _pair(
        dilation)
    ky, kx = torch.meshgrid(
        torch.arange(kh, device=x.device, dtype=x.dtype),
        torch.arange(kw, device=x.device, dtype=x.dtype),
        indexing='ij')
    rows = torch.arange(ho, device=x.device, dtype=x.dtype) * sy - py
    cols = torch.arange(wo, device=x.device, dtype=x.dtype) * sx - px
    # sampling positions (N, G, K, Ho, Wo) in input pixels
    off = offset.view(n, g, points, 2, ho, wo)
    pos_y = rows.view(1, 1, 1, ho, 1) + (ky.reshape(-1) * dy).view(
        1, 1, points, 1, 1) + off[:, :, :, 0]
    pos_x = cols.view(1, 1, 1, 1, wo) + (kx.reshape(-1) * dx).view(
        1, 1, points, 1, 1) + off[:, :, :, 1]
    # grid_sample's [-1, 1] with align_corners=True: -1 and 1 are the
    # centres of the first and last pixels, as DCN's integer positions
    grid = torch.stack((pos_x * (2 / max(w - 1, 1)) - 1,
                        pos_y * (2 / max(h - 1, 1)) - 1), dim=-1)
    sampled = F.grid_sample(
        x.reshape(n * g, c // g, h, w),
        grid.view(n * g, points * ho, wo, 2),
        mode='bilinear',
        padding_mode='zeros',
        align_corners=True)
    sampled = sampled.view(n, g, c // g, points, ho, wo) * mask.view(
        n, g, 1, points, ho, wo)
    out = torch.matmul(
        weight.reshape(c_out, c * points),
        sampled.reshape(n, c * points, ho * wo)).view(n, c_out, ho, wo)
    return out if bias is None else out + bias.view(1, -1, 1, 1)
