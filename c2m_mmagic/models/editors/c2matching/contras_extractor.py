"""The contrastive correspondence network of C²-Matching (spec §2)."""
import os.path as osp
from typing import Optional, Tuple

import torch
from mmengine.model import BaseModule

from mmagic.registry import MODELS
from .vgg_trunk import (ImageNetNormalized, build_vgg_trunk,
                         load_torchvision_vgg, log_random_init)


def load_stage_checkpoint(module: torch.nn.Module, path: str,
                          prefix: str) -> None:
    """Loads the ``prefix`` entries of an mmengine checkpoint, strictly.

    Args:
        module (nn.Module): Network to fill.
        path (str): Checkpoint written by an earlier training stage.
        prefix (str): Prefix of the network's entries, e.g. 'student.'.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'stage checkpoint not found: {path}. Train the previous stage '
            'first (see README, "Training"), or point the config at its '
            'checkpoint with --cfg-options.')
    try:
        state = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:
        raise ValueError(f'cannot read stage checkpoint {path}: '
                         f'{type(err).__name__}: {err}') from err
    state = state.get('state_dict', state)
    own = {k[len(prefix):]: v for k, v in state.items()
           if k.startswith(prefix)}
    if not own:
        raise ValueError(f'stage checkpoint {path} has no entries under '
                         f'{prefix!r}; is it from the right stage?')
    missing, unexpected = module.load_state_dict(own, strict=False)
    if missing or unexpected:
        raise ValueError(
            f'stage checkpoint {path} ({prefix!r}) does not fit '
            f'{type(module).__name__}: missing {missing[:4]}, unexpected '
            f'{unexpected[:4]}')


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

    Args:
        pretrained (str, optional): Local file with torchvision's VGG16 state
            dict, loaded into both branches by :meth:`init_weights`. None
            leaves the random init (tests, or when a trained extractor
            checkpoint is loaded afterwards).
        requires_grad (bool): Whether the parameters are trained.
        checkpoint (str, optional): A stage-1 or stage-2 checkpoint to load
            by :meth:`init_weights` (after ``pretrained``), strictly.
        checkpoint_prefix (str): Prefix of this network's entries in
            ``checkpoint``'s state dict, e.g. 'teacher.' or 'student.'.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 requires_grad: bool = True,
                 checkpoint: Optional[str] = None,
                 checkpoint_prefix: str = '',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.pretrained = pretrained
        self.checkpoint = checkpoint
        self.checkpoint_prefix = checkpoint_prefix
        self.feature_extraction_image1 = ContrasBranch()
        self.feature_extraction_image2 = ContrasBranch()
        self.requires_grad_(requires_grad)

    def init_weights(self) -> None:
        """Loads ImageNet VGG16 into both branches, then ``checkpoint``."""
        if self.pretrained is not None:
            for branch in (self.feature_extraction_image1,
                           self.feature_extraction_image2):
                load_torchvision_vgg(branch.model, 'vgg16', self.pretrained,
                                     owner=type(self).__name__)
        elif self.checkpoint is None:
            log_random_init(type(self).__name__, 'vgg16')
        if self.checkpoint is not None:
            load_stage_checkpoint(self, self.checkpoint,
                                  self.checkpoint_prefix)
        if self.init_cfg is not None:
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
