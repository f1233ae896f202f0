"""Discriminator of the C²-Matching GAN variant (docs/method.md §5.4)."""
from typing import Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmagic.registry import MODELS


def _conv_bn_lrelu(in_c: int, out_c: int, stride: int) -> list:
    return [
        nn.Conv2d(in_c, out_c, 3, stride, 1),
        nn.BatchNorm2d(out_c),
        nn.LeakyReLU(0.2, inplace=True)
    ]


@MODELS.register_module()
class C2MatchingDiscriminator(BaseModule):
    """Five [conv s1, BN, LReLU(0.2), conv s2, BN, LReLU(0.2)] blocks, global
    average pool, conv1×1 → 1024, LReLU(0.2), conv1×1 → 1, sigmoid.

    Args:
        in_channels (int): Default: 3.
        channels (Sequence[int]): Block widths. Default: (32, 64, 128, 256, 512).
        mid_channels (int): Width of the 1×1 head. Default: 1024.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 in_channels: int = 3,
                 channels: Sequence[int] = (32, 64, 128, 256, 512),
                 mid_channels: int = 1024,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        layers = []
        for out_c in channels:
            layers += _conv_bn_lrelu(in_channels, out_c, 1)
            layers += _conv_bn_lrelu(out_c, out_c, 2)
            in_channels = out_c
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Conv2d(in_channels, mid_channels, 1),
            nn.LeakyReLU(0.2, inplace=True), nn.Conv2d(mid_channels, 1, 1),
            nn.Sigmoid())
        self.init_weights()

    def init_weights(self) -> None:
        """Conv weights ~ N(0, 0.02), bias 0; BN weight ~ N(1, 0.02), bias 0."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, 0, 0.02)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.normal_(m.weight, 1, 0.02)
                nn.init.zeros_(m.bias)
        self._is_init = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args:
            x (Tensor): (N, 3, H, W) image in [0, 1].

        Returns:
            Tensor: (N, 1) realness in (0, 1).
        """
        return self.head(self.features(x)).flatten(1)
