"""The contrastive correspondence network of C²-Matching (docs/method.md §2)."""
from typing import Optional, Tuple

import torch
from mmengine.model import BaseModule

from mmagic.registry import MODELS
from ...archs import (ImageNetNormalized, build_vgg_trunk,
                      load_torchvision_vgg, log_random_init)
from ....utils import load_weights


class ContrasBranch(ImageNetNormalized):
    """One branch: VGG16 from conv1_1 to conv3_1, no ReLU after conv3_1.

    Output has 256 channels at 1/4 of the input resolution.
    """

    def __init__(self) -> None:
        super().__init__()
        self.model = build_vgg_trunk('vgg16', 'conv3_1')

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        """Args:
            img (Tensor): RGB in [0, 1], (N, 3, H, W).

        Returns:
            Tensor: (N, 256, H // 4, W // 4).
        """
        return self.model(self.normalize(img))


@MODELS.register_module()
class ContrasExtractor(BaseModule):
    """Two independent VGG16 branches: branch 1 reads the image to be
    matched, branch 2 the HR reference.

    Weights, loaded by :meth:`init_weights` in this order:

    - ``pretrained``: torchvision's ImageNet VGG16 into both branches;
    - ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix=...)``: the
      network from an earlier stage's checkpoint (e.g. prefix 'student.' of
      a stage-2 checkpoint), checked strictly: a checkpoint that does not
      fit is refused with one line naming it.

    Args:
        pretrained (str, optional): torchvision VGG16 weights (a local file
            or ``torchvision://vgg16`` from torch's hub cache). None keeps a
            random init, the same in both branches (demo, tests), unless
            ``init_cfg`` loads a trained network.
        requires_grad (bool): Whether the parameters are trained.
        init_cfg (dict, optional): mmengine init config; type 'Pretrained'
            loads as described above.
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 requires_grad: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.pretrained = pretrained
        self.feature_extraction_image1 = ContrasBranch()
        self.feature_extraction_image2 = ContrasBranch()
        self.requires_grad_(requires_grad)

    def init_weights(self) -> None:
        """Loads ImageNet VGG16 into both branches, then the stage
        checkpoint of ``init_cfg``."""
        stage = self.init_cfg if isinstance(self.init_cfg, dict) and \
            self.init_cfg.get('type') == 'Pretrained' else None
        if self.pretrained is not None:
            for branch in (self.feature_extraction_image1,
                           self.feature_extraction_image2):
                load_torchvision_vgg(branch.model, 'vgg16', self.pretrained,
                                     owner=type(self).__name__)
        elif stage is None:
            # both branches start from the same weights, as from ImageNet
            # VGG16: two different random networks could not be matched
            log_random_init(type(self).__name__, 'vgg16')
            self.feature_extraction_image2.load_state_dict(
                self.feature_extraction_image1.state_dict())
        if stage is not None:
            try:
                load_weights(
                    self,
                    stage['checkpoint'],
                    prefix=stage.get('prefix', ''),
                    what='stage checkpoint')
            except FileNotFoundError as err:
                raise FileNotFoundError(
                    f'{err}. Train the previous stage first (README, '
                    '"Training"), or point init_cfg.checkpoint at its '
                    'checkpoint') from None
            self._is_init = True
        elif self.init_cfg is not None:
            super().init_weights()

    def forward(self, img: torch.Tensor,
                ref: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Args:
            img (Tensor): Image to match, RGB in [0, 1], (N, 3, H, W).
            ref (Tensor): HR reference, RGB in [0, 1], (N, 3, Hr, Wr).

        Returns:
            tuple[Tensor]: Features of ``img`` (N, 256, H/4, W/4) and of
            ``ref`` (N, 256, Hr/4, Wr/4).
        """
        return (self.feature_extraction_image1(img),
                self.feature_extraction_image2(ref))
