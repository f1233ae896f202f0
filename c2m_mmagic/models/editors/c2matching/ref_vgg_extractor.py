"""VGG19 features of the HR reference used for texture transfer
(docs/method.md §5.1)."""
from typing import Dict, Optional, Sequence

import torch
from mmagic.registry import MODELS
from ...archs import (ImageNetNormalized, build_vgg_trunk,
                      load_torchvision_vgg, log_random_init, trunk_features,
                      vgg_layer_names)
from .scales import REFERENCE_LAYERS


@MODELS.register_module()
class RefVGGExtractor(ImageNetNormalized):
    """ImageNet VGG19 up to the deepest requested ReLU, frozen.

    Parameter names follow the release (``mean``, ``std``,
    ``vgg_net.conv1_1.weight`` ...).

    Args:
        layers (Sequence[str]): Layers to return. Default: the layers of
            the three scales (``scales.REFERENCE_LAYERS``).
        pretrained (str, optional): torchvision VGG19 weights (a local file
            or ``torchvision://vgg19`` from torch's hub cache), loaded by
            :meth:`init_weights`. None keeps random weights.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 layers: Sequence[str] = REFERENCE_LAYERS,
                 pretrained: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.layers = tuple(layers)
        self.pretrained = pretrained
        unknown = set(self.layers) - set(vgg_layer_names('vgg19'))
        if unknown:
            raise ValueError(
                f'RefVGGExtractor: unknown layers {sorted(unknown)}')
        names = [n for n in vgg_layer_names('vgg19') if n in self.layers]
        self.vgg_net = build_vgg_trunk('vgg19', names[-1])
        self.requires_grad_(False)

    def init_weights(self) -> None:
        """Loads the ImageNet VGG19 weights from ``pretrained``."""
        if self.pretrained is not None:
            load_torchvision_vgg(
                self.vgg_net,
                'vgg19',
                self.pretrained,
                owner=type(self).__name__)
        else:
            log_random_init(type(self).__name__, 'vgg19')
        if self.init_cfg is not None:
            super().init_weights()

    def forward(self, img: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Args:
            img (Tensor): RGB in [0, 1], (N, 3, H, W).

        Returns:
            dict[str, Tensor]: Feature of each requested layer, e.g.
            relu1_1 (N, 64, H, W), relu2_1 (N, 128, H/2, W/2),
            relu3_1 (N, 256, H/4, W/4).
        """
        return trunk_features(self.vgg_net, self.normalize(img), self.layers)
