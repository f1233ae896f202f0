"""Dynamic aggregation: modulated deformable conv with a pre-offset
(docs/method.md §5.2)."""
import torch
import torch.nn as nn
from mmcv.ops import ModulatedDeformConv2d
from mmengine.logging import print_log

from mmagic.registry import MODELS

from ....utils import pad_to
from ...archs import deform_conv_for

KERNEL_POINTS = 9  # 3x3
# mmcv's DCNv2 kernels index the per-sample column buffer (C·9·H·W) with
# 32-bit ints: beyond this they read out of bounds (seen on CUDA at 2048²)
MAX_COLUMN_ELEMENTS = 2**31 - 1


def combine_offsets(learned: torch.Tensor, pre_offset: torch.Tensor,
                    deform_groups: int) -> torch.Tensor:
    """Adds the pre-offset to the learned DCNv2 offsets.

    Args:
        learned (Tensor): (N, 2*G*9, H, W); channel 2(9g+k) is Δy and
            2(9g+k)+1 is Δx of group g, kernel point k.
        pre_offset (Tensor): (N, 9, H, W, 2) with last dim (x, y), the same
            for every group.
        deform_groups (int): G.

    Returns:
        Tensor: (N, 2*G*9, H, W) offsets in the DCNv2 layout.
    """
    n, _, h, w = learned.shape
    pre_yx = pre_offset.flip(-1).permute(0, 1, 4, 2, 3)  # (N, 9, 2, H, W)
    pre_yx = pre_yx.reshape(n, 1, 2 * KERNEL_POINTS, h, w)
    pre_yx = pre_yx.expand(n, deform_groups, 2 * KERNEL_POINTS, h, w)
    return learned + pre_yx.reshape(n, -1, h, w).to(learned.dtype)


def deform_group_parts(channels: int, deform_groups: int, height: int,
                       width: int, max_elements: int) -> int:
    """Fewest parts, a divisor of ``deform_groups``, into which the input
    channels split so that each part's column buffer (C/parts·9·H·W) stays
    within ``max_elements``."""
    for parts in range(1, deform_groups + 1):
        if deform_groups % parts == 0 and (channels // parts * KERNEL_POINTS *
                                           height * width <= max_elements):
            return parts
    raise ValueError(
        f'a deformable conv over {height}x{width} is too large: even one '
        f'deform group of {channels // deform_groups} channels exceeds '
        f'{max_elements} column elements')


def deform_conv_in_parts(deform_conv, x: torch.Tensor, offset: torch.Tensor,
                         mask: torch.Tensor, weight: torch.Tensor,
                         bias: torch.Tensor, deform_groups: int,
                         parts: int) -> torch.Tensor:
    """A 3×3 stride-1 DCNv2 as the sum of ``parts`` DCNs over consecutive
    deform groups (their input channels, offsets and mask channels, and
    weight columns); the bias is added once.

    Args:
        deform_conv: mmcv's ``modulated_deform_conv2d`` signature.
        x (Tensor): (N, C, H, W).
        offset (Tensor): (N, 2*G*9, H, W).
        mask (Tensor): (N, G*9, H, W).
        weight (Tensor): (C_out, C, 3, 3).
        bias (Tensor): (C_out,).
        deform_groups (int): G.
        parts (int): A divisor of G.

    Returns:
        Tensor: (N, C_out, H, W).
    """
    groups_per_part = deform_groups // parts
    cin = x.shape[1] // parts
    out = None
    for i in range(parts):
        c = slice(i * cin, (i + 1) * cin)
        g = i * groups_per_part
        offsets = slice(2 * KERNEL_POINTS * g,
                        2 * KERNEL_POINTS * (g + groups_per_part))
        masks = slice(KERNEL_POINTS * g, KERNEL_POINTS * (g + groups_per_part))
        part = deform_conv(x[:, c].contiguous(),
                           offset[:, offsets].contiguous(),
                           mask[:, masks].contiguous(),
                           weight[:, c].contiguous(),
                           bias if i == 0 else None, 1, 1, 1, 1,
                           groups_per_part)
        out = part if out is None else out + part
    return out


@MODELS.register_module()
class DynamicAggregation(ModulatedDeformConv2d):
    """``DynAgg(C)``: a C→C 3×3 modulated deformable conv whose offsets and
    masks come from a condition feature, plus a matching-derived pre-offset.

    The DCN weight keeps mmcv's DCNv2 init (uniform ±1/sqrt(C·9), bias 0);
    ``conv_offset_mask`` starts at zero. The deformable convolution is one
    of ``archs.DEFORM_CONVS`` (``deform_conv``): by default mmcv's on CUDA
    and, elsewhere, the same DCNv2 from PyTorch's operators, which is
    multi-threaded on a CPU and computes only the output grid. With mmcv's
    (or torchvision's), whose output grid is the sampled map's, a larger
    reference runs the DCN on its grid and the output is cropped back, and
    grids whose column buffer would pass ``max_column_elements`` run as a
    sum over parts of the deform groups.

    Args:
        channels (int): C.
        deform_groups (int): G. Default: 8.
        offset_warn_threshold (float | None): Log a warning when the mean
            absolute learned offset exceeds it (as released: 100). None
            disables the check, which costs a device sync.
        deform_conv (str): 'auto', 'pytorch', 'mmcv' or 'torchvision'.
    """

    def __init__(self,
                 channels: int,
                 deform_groups: int = 8,
                 offset_warn_threshold=100.,
                 deform_conv: str = 'auto') -> None:
        super().__init__(
            channels,
            channels,
            kernel_size=3,
            stride=1,
            padding=1,
            dilation=1,
            groups=1,
            deform_groups=deform_groups,
            bias=True)
        self.offset_warn_threshold = offset_warn_threshold
        deform_conv_for(deform_conv, 'cpu')  # a wrong name fails here
        self.deform_conv = deform_conv
        self.max_column_elements = MAX_COLUMN_ELEMENTS
        self.conv_offset_mask = nn.Conv2d(
            channels, deform_groups * 3 * KERNEL_POINTS, 3, 1, 1, bias=True)
        self.zero_offset_conv()

    def zero_offset_conv(self) -> None:
        """Sets ``conv_offset_mask`` to zero (no learned offset, mask 0.5)."""
        nn.init.zeros_(self.conv_offset_mask.weight)
        nn.init.zeros_(self.conv_offset_mask.bias)

    def offsets_and_mask(self,
                         cond: torch.Tensor,
                         pre_offset: torch.Tensor,
                         warn: bool = True):
        """Computes the combined offsets and the mask.

        Args:
            cond (Tensor): (N, C, H, W) condition feature.
            pre_offset (Tensor): (N, 9, H, W, 2), last dim (x, y).
            warn (bool): Check the learned offsets against
                ``offset_warn_threshold`` (a part of a larger grid skips it).

        Returns:
            tuple[Tensor]: offsets (N, 2*G*9, H, W), mask (N, G*9, H, W).
        """
        out = self.conv_offset_mask(cond)
        o1, o2, mask = torch.chunk(out, 3, dim=1)
        learned = torch.cat((o1, o2), dim=1)
        if warn and self.offset_warn_threshold is not None and \
                not torch.jit.is_tracing():
            mean_abs = learned.detach().abs().mean()
            if mean_abs > self.offset_warn_threshold:
                print_log(
                    f'{type(self).__name__}: mean |learned offset| is '
                    f'{mean_abs.item():.1f}, larger than '
                    f'{self.offset_warn_threshold}', 'current', 30)
        offset = combine_offsets(learned, pre_offset, self.deform_groups)
        return offset, torch.sigmoid(mask)

    def forward(self, ref_feat: torch.Tensor, cond: torch.Tensor,
                pre_offset: torch.Tensor) -> torch.Tensor:
        """Aggregates reference features.

        Args:
            ref_feat (Tensor): (N, C, Hr, Wr) reference features to sample,
                Hr >= H and Wr >= W, aligned at the top-left corner with the
                output grid; sampled whole (positions outside it read 0).
            cond (Tensor): (N, C, H, W) condition; sets the output grid.
            pre_offset (Tensor): (N, 9, H, W, 2), last dim (x, y).

        Returns:
            Tensor: (N, C, H, W).
        """
        offset, mask = self.offsets_and_mask(cond, pre_offset)
        h, w = cond.shape[-2:]
        hr, wr = ref_feat.shape[-2:]
        if hr < h or wr < w:
            raise ValueError(
                f'{type(self).__name__}: reference features {hr}x{wr} must '
                f'cover the output grid {h}x{w}')
        op = deform_conv_for(self.deform_conv, ref_feat.device)
        # the deformable conv runs in fp32 (mmcv's kernels) also under
        # --amp, or in float64 where the whole module is (numerical tests)
        dtype = self.weight.dtype if self.weight.dtype == torch.float64 \
            else torch.float32
        ref_feat, offset, mask = (t.to(dtype) for t in (ref_feat, offset,
                                                        mask))
        with torch.autocast(ref_feat.device.type, enabled=False):
            if op.any_grid:
                return op.fn(ref_feat, offset, mask, self.weight, self.bias,
                             self.stride, self.padding, self.dilation,
                             self.groups, self.deform_groups)
            offset, mask = pad_to(offset, hr, wr), pad_to(mask, hr, wr)
            parts = deform_group_parts(self.in_channels, self.deform_groups,
                                       hr, wr, self.max_column_elements)
            if parts == 1:
                out = op.fn(ref_feat, offset, mask, self.weight, self.bias,
                            self.stride, self.padding, self.dilation,
                            self.groups, self.deform_groups)
            else:
                out = deform_conv_in_parts(op.fn, ref_feat, offset, mask,
                                           self.weight, self.bias,
                                           self.deform_groups, parts)
        return out[..., :h, :w]
