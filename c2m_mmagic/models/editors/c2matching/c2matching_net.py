"""C²-Matching restoration network (generator), docs/method.md §5.3."""
from typing import Callable, Dict

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmagic.models.archs import ResidualBlockNoBN
from mmagic.models.utils import make_layer
from mmagic.registry import MODELS
from .dynamic_aggregation import DynamicAggregation
from .scales import SCALES, Scale


def lrelu() -> nn.LeakyReLU:
    """LeakyReLU(0.1), used everywhere in the generator."""
    return nn.LeakyReLU(negative_slope=0.1, inplace=True)


class ContentExtractor(nn.Module):
    """conv 3→C + LeakyReLU(0.1), then residual blocks (no global skip).

    Args:
        in_channels (int): Image channels.
        mid_channels (int): C.
        num_blocks (int): Residual blocks.
    """

    def __init__(self, in_channels: int, mid_channels: int,
                 num_blocks: int) -> None:
        super().__init__()
        self.conv_first = nn.Conv2d(in_channels, mid_channels, 3, 1, 1)
        self.body = make_layer(
            ResidualBlockNoBN, num_blocks, mid_channels=mid_channels)
        self.lrelu = lrelu()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Returns content features (N, C, h, w) of the LR image."""
        return self.body(self.lrelu(self.conv_first(x)))


@MODELS.register_module()
class C2MatchingNet(BaseModule):
    """Restoration network with dynamic aggregation at three scales.

    Parameter names follow the released ``net_g`` without its
    ``dyn_agg_restore.`` prefix.

    Args:
        in_channels (int): Default: 3.
        out_channels (int): Default: 3.
        mid_channels (int): Default: 64.
        num_blocks (int): Residual blocks per stage. Default: 16.
        deform_groups (int): Deformable groups of each DynAgg. Default: 8.
        offset_warn_threshold (float | None): See :class:`DynamicAggregation`.
        deform_conv (str): DCNv2 implementation of the aggregations ('auto':
            mmcv's on CUDA, PyTorch's operators elsewhere; see
            :class:`DynamicAggregation`).
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 in_channels: int = 3,
                 out_channels: int = 3,
                 mid_channels: int = 64,
                 num_blocks: int = 16,
                 deform_groups: int = 8,
                 offset_warn_threshold=100.,
                 deform_conv: str = 'auto',
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        nf = mid_channels
        self.num_blocks = num_blocks
        self.content_extractor = ContentExtractor(in_channels, nf, num_blocks)
        for name, _, ref_c, _ in SCALES:
            self.add_module(f'{name}_offset_conv1',
                            nn.Conv2d(nf + ref_c, ref_c, 3, 1, 1))
            self.add_module(f'{name}_offset_conv2',
                            nn.Conv2d(ref_c, ref_c, 3, 1, 1))
            self.add_module(
                f'{name}_dyn_agg',
                DynamicAggregation(ref_c, deform_groups,
                                   offset_warn_threshold, deform_conv))
            self.add_module(
                f'head_{name}',
                nn.Sequential(nn.Conv2d(nf + ref_c, nf, 3, 1, 1), lrelu()))
            self.add_module(
                f'body_{name}',
                make_layer(ResidualBlockNoBN, num_blocks, mid_channels=nf))
        self.tail_small = nn.Sequential(
            nn.Conv2d(nf, nf * 4, 3, 1, 1), nn.PixelShuffle(2), lrelu())
        self.tail_medium = nn.Sequential(
            nn.Conv2d(nf, nf * 4, 3, 1, 1), nn.PixelShuffle(2), lrelu())
        self.tail_large = nn.Sequential(
            nn.Conv2d(nf, nf // 2, 3, 1, 1), lrelu(),
            nn.Conv2d(nf // 2, out_channels, 3, 1, 1))
        self.lrelu = lrelu()
        self.init_weights()

    def init_weights(self) -> None:
        """Every Conv2d ~ N(0, 0.02) with bias 0, then each DynAgg's
        ``conv_offset_mask`` zeroed; DCN weights keep their DCNv2 init."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, 0, 0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        for scale in SCALES:
            getattr(self, f'{scale.name}_dyn_agg').zero_offset_conv()
        self._is_init = True

    def forward(self, x: torch.Tensor, pre_offsets: Dict[str, torch.Tensor],
                ref_feats: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Restores the ×4 image.

        Args:
            x (Tensor): LR image, RGB in [0, 1], (N, 3, h, w).
            pre_offsets (dict[str, Tensor]): From
                :class:`CorrespondenceGenerator`: relu3_1 (N, 9, h, w, 2),
                relu2_1 (N, 9, 2h, 2w, 2), relu1_1 (N, 9, 4h, 4w, 2).
            ref_feats (dict[str, Tensor]): Reference VGG19 features relu3_1,
                relu2_1, relu1_1, each covering at least the matching grid
                (h, 2h, 4h rows ...), aligned at the top-left corner.

        Returns:
            Tensor: (N, 3, 4h, 4w).
        """
        feat = self.content_extractor(x)
        for scale in SCALES:
            ref = ref_feats[scale.layer]
            h, w = feat.shape[-2:]
            aggregation = self.aggregation(scale)
            h_feat = self.scale_features(
                scale, feat, ref[..., :h, :w],
                lambda cond: aggregation(ref, cond, pre_offsets[scale.layer]))
            feat = self.tail(scale, h_feat)
        return feat + self.upsampled(x)

    def aggregation(self, scale: Scale) -> DynamicAggregation:
        """The dynamic aggregation of ``scale``."""
        return getattr(self, f'{scale.name}_dyn_agg')

    def scale_features(self, scale: Scale, feat: torch.Tensor,
                       ref_here: torch.Tensor,
                       aggregate: Callable[[torch.Tensor], torch.Tensor]
                       ) -> torch.Tensor:
        """One scale up to its tail: the condition, the aggregated reference
        features, the head and the residual blocks with the skip.

        Args:
            scale (Scale): Which scale.
            feat (Tensor): (N, C, H, W) features entering the scale.
            ref_here (Tensor): (N, C_ref, H, W) reference features at the
                same positions.
            aggregate (callable): Condition (N, C_ref, H, W) -> aggregated
                reference features (N, C_ref, H, W).

        Returns:
            Tensor: (N, C, H, W).
        """
        cond = torch.cat((feat, ref_here), dim=1)
        cond = self.lrelu(getattr(self, f'{scale.name}_offset_conv1')(cond))
        cond = self.lrelu(getattr(self, f'{scale.name}_offset_conv2')(cond))
        agg = self.lrelu(aggregate(cond))
        h_feat = getattr(self, f'head_{scale.name}')(torch.cat((feat, agg), 1))
        return getattr(self, f'body_{scale.name}')(h_feat) + feat

    def tail(self, scale: Scale, h_feat: torch.Tensor) -> torch.Tensor:
        """The tail of ``scale``: ×2 to the next scale, or the RGB residual."""
        return getattr(self, f'tail_{scale.name}')(h_feat)

    @staticmethod
    def upsampled(x: torch.Tensor) -> torch.Tensor:
        """The bilinear ×4 enlargement the output is added to."""
        return F.interpolate(x, scale_factor=4, mode='bilinear',
                             align_corners=False)
