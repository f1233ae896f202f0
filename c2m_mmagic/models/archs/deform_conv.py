"""Modulated deformable convolution (DCNv2): the implementations C²-Matching
can run, all with the signature of ``mmcv.ops.modulated_deform_conv2d``.

``modulated_deform_conv2d_pytorch`` is DCNv2 from PyTorch's own operators
(bilinear sampling, zero outside the map, offsets as (Δy, Δx) pairs per
deformable group and kernel point): the samples are gathered with
``grid_sample`` and the convolution is one matrix product. On the CPU those
operators are multi-threaded where mmcv's are not (a 64-channel 64×64
forward + backward takes about a tenth of mmcv's time on 2 cores, an
inference at 332×500 about a third), and its output grid is the offsets'
grid, whatever the size of the sampled map.
"""
from typing import Callable, NamedTuple, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch.nn.modules.utils import _pair

IntPair = Union[int, Tuple[int, int]]


def sampling_positions(offset: torch.Tensor,
                       kernel_size: Tuple[int, int],
                       stride: IntPair = 1,
                       padding: IntPair = 0,
                       dilation: IntPair = 1,
                       origin: Tuple[int, int] = (0, 0)
                       ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Where a DCNv2 samples its input: each output position's kernel
    points moved by their offsets.

    Args:
        offset (Tensor): (N, 2*G*K, Ho, Wo); channel 2(Kg+k) is Δy and
            2(Kg+k)+1 is Δx of deformable group g, kernel point k (row-major
            over the kernel).
        kernel_size (tuple[int]): (kh, kw), K = kh*kw.
        stride, padding, dilation: As for a convolution.
        origin (tuple[int]): (row, column) of the output grid's first
            position within the full output (a tile of a larger grid).

    Returns:
        tuple[Tensor]: rows and columns, each (N, G, K, Ho, Wo), in input
        pixels.
    """
    n, _, ho, wo = offset.shape
    kh, kw = kernel_size
    points = kh * kw
    (sy, sx), (py, px), (dy, dx) = _pair(stride), _pair(padding), _pair(
        dilation)
    like = dict(device=offset.device, dtype=offset.dtype)
    ky, kx = torch.meshgrid(
        torch.arange(kh, **like), torch.arange(kw, **like), indexing='ij')
    rows = (torch.arange(ho, **like) + origin[0]) * sy - py
    cols = (torch.arange(wo, **like) + origin[1]) * sx - px
    off = offset.reshape(n, -1, points, 2, ho, wo)
    pos_y = rows.view(1, 1, 1, ho, 1) + (ky.reshape(-1) * dy).view(
        1, 1, points, 1, 1) + off[:, :, :, 0]
    pos_x = cols.view(1, 1, 1, 1, wo) + (kx.reshape(-1) * dx).view(
        1, 1, points, 1, 1) + off[:, :, :, 1]
    return pos_y, pos_x


def bilinear_samples(x: torch.Tensor, pos_y: torch.Tensor,
                     pos_x: torch.Tensor) -> torch.Tensor:
    """Bilinear samples of ``x`` (zero outside it) at the positions of each
    deformable group, from its own channels.

    Args:
        x (Tensor): (N, C, H, W).
        pos_y, pos_x (Tensor): (N, G, K, Ho, Wo) in pixels.

    Returns:
        Tensor: (N, G, C/G, K, Ho, Wo).
    """
    n, c, h, w = x.shape
    _, g, points, ho, wo = pos_y.shape
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
    return sampled.view(n, g, c // g, points, ho, wo)


def modulate_and_project(sampled: torch.Tensor, mask: torch.Tensor,
                         weight: torch.Tensor,
                         bias: Optional[torch.Tensor]) -> torch.Tensor:
    """The convolution of modulated samples.

    Args:
        sampled (Tensor): (N, G, C/G, K, Ho, Wo), from
            :func:`bilinear_samples`; overwritten where nothing is
            differentiated.
        mask (Tensor): (N, G*K, Ho, Wo) modulation.
        weight (Tensor): (C_out, C, kh, kw).
        bias (Tensor, optional): (C_out,).

    Returns:
        Tensor: (N, C_out, Ho, Wo).
    """
    n, g, _, points, ho, wo = sampled.shape
    mask = mask.reshape(n, g, 1, points, ho, wo)
    # in place where nothing is differentiated: one column buffer, not two
    sampled = sampled * mask if torch.is_grad_enabled() else sampled.mul_(mask)
    c_out = weight.shape[0]
    out = torch.matmul(
        weight.reshape(c_out, -1),
        sampled.reshape(n, -1, ho * wo)).view(n, c_out, ho, wo)
    return out if bias is None else out + bias.view(1, -1, 1, 1)


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
    """DCNv2 output of ``x`` (mmcv's signature): :func:`sampling_positions`,
    :func:`bilinear_samples`, :func:`modulate_and_project`.

    Args:
        x (Tensor): (N, C, H, W).
        offset (Tensor): (N, 2*G*K, Ho, Wo), see :func:`sampling_positions`.
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
    pos_y, pos_x = sampling_positions(offset.to(x.dtype), weight.shape[-2:],
                                      stride, padding, dilation)
    return modulate_and_project(bilinear_samples(x, pos_y, pos_x), mask,
                                weight, bias)


def modulated_deform_conv2d_torchvision(x, offset, mask, weight, bias, stride,
                                        padding, dilation, groups,
                                        deform_groups):
    """torchvision's DCNv2 behind mmcv's signature (the groups are implied by
    the shapes)."""
    from torchvision.ops import deform_conv2d
    del groups, deform_groups
    return deform_conv2d(x, offset, weight, bias, stride, padding, dilation,
                         mask)


def modulated_deform_conv2d_mmcv(*args):
    """mmcv's compiled DCNv2 (CUDA kernels; its CPU ones are
    single-threaded)."""
    from mmcv.ops import modulated_deform_conv2d
    return modulated_deform_conv2d(*args)


class DeformConvOp(NamedTuple):
    """A DCNv2 implementation.

    Attributes:
        fn (callable): mmcv's ``modulated_deform_conv2d`` signature.
        any_grid (bool): Whether its output grid is the offsets' grid, of
            any size; else it is the sampled map's (stride 1, padding 1).
    """
    fn: Callable
    any_grid: bool


DEFORM_CONVS = {
    'pytorch': DeformConvOp(modulated_deform_conv2d_pytorch, True),
    'mmcv': DeformConvOp(modulated_deform_conv2d_mmcv, False),
    'torchvision': DeformConvOp(modulated_deform_conv2d_torchvision, False),
}


def deform_conv_for(name: str, device: torch.device) -> DeformConvOp:
    """The implementation ``name`` names; 'auto': mmcv's on CUDA, PyTorch's
    operators elsewhere."""
    if name == 'auto':
        name = 'mmcv' if torch.device(device).type == 'cuda' else 'pytorch'
    if name not in DEFORM_CONVS:
        raise ValueError(f'deform_conv must be auto or one of '
                         f'{sorted(DEFORM_CONVS)}, got {name!r}')
    return DEFORM_CONVS[name]
