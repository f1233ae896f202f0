"""Perceptual loss of C²-Matching: VGG19 relu5_1, Frobenius norm
(docs/method.md §5.4).

mmagic's ``PerceptualLoss`` offers only L1/MSE criteria (and may download
VGG19), so this one takes the Frobenius norm and loads VGG19 from a local file
or torch's hub cache.
"""
from typing import Dict, Optional

import torch

from mmagic.registry import MODELS
from ..archs import (ImageNetNormalized, build_vgg_trunk, load_torchvision_vgg,
                     log_random_init, trunk_features, vgg_layer_names)


def _drop_own_entries(module, state_dict, prefix, local_metadata):
    for key in [k for k in state_dict if k.startswith(prefix)]:
        del state_dict[key]


def _forgive_own_missing_keys(module, incompatible_keys):
    # The hook is not told the module's prefix; its entries all sit under
    # its `vgg` child, whose names are distinctive enough to match on.
    own = tuple('.vgg.' + k for k in module.vgg.state_dict())
    incompatible_keys.missing_keys[:] = [
        k for k in incompatible_keys.missing_keys
        if not ('.' + k).endswith(own)
    ]


@MODELS.register_module()
class FrobeniusPerceptualLoss(ImageNetNormalized):
    """sum_l w_l * ||VGG19_l(pred) - VGG19_l(gt)||_F * loss_weight.

    Args:
        layer_weights (dict): VGG19 layer name -> weight.
            Default: {'relu5_1': 1.0}.
        loss_weight (float): Default: 1e-4.
        pretrained (str, optional): torchvision VGG19 weights (a local file
            or ``torchvision://vgg19`` from torch's hub cache), loaded by
            :meth:`init_weights`; None keeps random weights.
    """

    def __init__(self,
                 layer_weights: Optional[Dict[str, float]] = None,
                 loss_weight: float = 1e-4,
                 pretrained: Optional[str] = None) -> None:
        super().__init__(persistent=False)
        self.layer_weights = dict(layer_weights or {'relu5_1': 1.0})
        names = vgg_layer_names('vgg19')
        unknown = set(self.layer_weights) - set(names)
        if unknown:
            raise ValueError(f'FrobeniusPerceptualLoss: unknown VGG19 layers '
                             f'{sorted(unknown)}')
        last = max(self.layer_weights, key=names.index)
        self.loss_weight = loss_weight
        self.pretrained = pretrained
        self.vgg = build_vgg_trunk('vgg19', last)
        self.vgg.requires_grad_(False)
        # Fixed ImageNet weights come from `pretrained`, not checkpoints:
        # keep them out of the state dict and do not expect them on load.
        self._register_state_dict_hook(_drop_own_entries)
        self.register_load_state_dict_post_hook(_forgive_own_missing_keys)

    def init_weights(self) -> None:
        """Loads ImageNet VGG19 from ``pretrained`` when given."""
        if self.pretrained is not None:
            load_torchvision_vgg(
                self.vgg, 'vgg19', self.pretrained, owner=type(self).__name__)
        else:
            log_random_init(type(self).__name__, 'vgg19')
        self._is_init = True

    def _features(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        return trunk_features(self.vgg, self.normalize(x), self.layer_weights)

    def forward(self, pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
        """Args:
            pred (Tensor): (N, 3, H, W) in [0, 1].
            gt (Tensor): (N, 3, H, W) in [0, 1].

        Returns:
            Tensor: scalar loss.
        """
        feats_pred = self._features(pred)
        with torch.no_grad():
            feats_gt = self._features(gt.detach())
        loss = sum(
            torch.linalg.vector_norm(feats_pred[k] - feats_gt[k]) * w
            for k, w in self.layer_weights.items())
        return loss * self.loss_weight
