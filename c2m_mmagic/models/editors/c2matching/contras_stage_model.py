"""Stages 1 and 2: contrastive teacher and distilled student
(docs/method.md §3, §4)."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper

from mmagic.registry import MODELS
from mmagic.structures import DataSample
from ....structures import batch_image
from .point_geometry import (KeptPoints, descriptors, grid_positions,
                             kept_points)


def nearest_match_error(feat1: torch.Tensor, feat2: torch.Tensor,
                        kept: KeptPoints) -> torch.Tensor:
    """L∞ distance (feature pixels) from each point's nearest reference
    descriptor to its ground-truth correspondence.

    Returns:
        Tensor: (B, P) float, +inf where the point is not kept.
    """
    h, w = feat1.shape[-2:]
    sim = descriptors(feat1) @ descriptors(feat2).transpose(1, 2)
    best = grid_positions(h, w, feat1.device)[sim.argmax(-1)]  # (B, P, 2)
    err = (best - kept.ref_pos).abs().amax(-1).float()
    return err.masked_fill(~kept.mask, float('inf'))


class ContrasStageModel(BaseModel):
    """Shared training and validation flow of stages 1 and 2.

    Subclasses implement :meth:`compute_losses` and :meth:`matching_features`.

    Args:
        margin_loss (dict): :class:`ContrastiveMarginLoss` config.
        scale (int): Image pixels per feature pixel. Default: 4.
        border (float): Correspondence margin in image pixels. Default: 10.
        min_points (int): Fewest kept points for a usable sample. Default: 128.
        data_preprocessor (dict, optional): Pre-processor config.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 margin_loss: dict,
                 scale: int = 4,
                 border: float = 10.,
                 min_points: int = 128,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.margin_loss = MODELS.build(margin_loss)
        self.scale = scale
        self.border = border
        self.min_points = min_points

    def kept(self, data_samples: DataSample, feat_size) -> KeptPoints:
        """Kept points of the batch from its ``correspondence`` maps, which
        PackInputs stores channels-first like images: (B, 2, H, W)."""
        corr = data_samples.correspondence.float().to(self.device_of())
        corr = corr if corr.dim() == 4 else corr.unsqueeze(0)
        return kept_points(
            corr.permute(0, 2, 3, 1), feat_size, self.scale, self.border,
            self.min_points)

    def device_of(self) -> torch.device:
        return next(self.parameters()).device

    def compute_losses(self, data_samples: DataSample) -> Dict[str, Optional[
            torch.Tensor]]:
        raise NotImplementedError

    def matching_features(self, data_samples: DataSample):
        raise NotImplementedError

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """One step; a batch without usable samples warns and is skipped."""
        with optim_wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
            losses = self.compute_losses(data['data_samples'])
        if any(v is None for v in losses.values()):
            print_log(
                f'{type(self).__name__}: no sample of this batch has '
                f'{self.min_points} points with a valid correspondence; '
                'the step is skipped', 'current', 30)
            return {}
        parsed, log_vars = self.parse_losses(losses)
        optim_wrapper.update_params(parsed)
        return log_vars

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[DataSample] = None,
                mode: str = 'tensor') -> Union[Dict, List[DataSample]]:
        """'loss': losses; 'predict': samples with matching errors;
        'tensor': the matching features."""
        if isinstance(data_samples, list):
            data_samples = DataSample.stack(data_samples)
        if mode == 'loss':
            return self.compute_losses(data_samples)
        feat1, feat2 = self.matching_features(data_samples)
        if mode == 'tensor':
            return feat1, feat2
        kept = self.kept(data_samples, feat1.shape[-2:])
        errors = nearest_match_error(feat1, feat2, kept).cpu()
        out = data_samples.split()
        for sample, err in zip(out, errors):
            sample.output = DataSample(match_error=err)
        return out


@MODELS.register_module()
class ContrasTeacher(ContrasStageModel):
    """Stage 1: the contrastive network on HR input ↔ HR reference.

    Data samples carry ``gt_img`` (HR input), ``ref_img`` and
    ``correspondence`` (from :class:`RandomHomographyRef`).

    Args:
        teacher (dict): :class:`ContrasExtractor` config (ImageNet VGG16).
        **kwargs: See :class:`ContrasStageModel`.
    """

    def __init__(self, teacher: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self.teacher = MODELS.build(teacher)

    def matching_features(self, data_samples: DataSample):
        device = self.device_of()
        return self.teacher(
            batch_image(data_samples, 'gt_img', device),
            batch_image(data_samples, 'ref_img', device))

    def compute_losses(self, data_samples: DataSample) -> dict:
        feat1, feat2 = self.matching_features(data_samples)
        kept = self.kept(data_samples, feat1.shape[-2:])
        return dict(loss_margin=self.margin_loss(feat1, feat2, kept))


@MODELS.register_module()
class ContrasStudent(ContrasStageModel):
    """Stage 2: a fresh student on LR-upsampled input ↔ HR reference,
    distilled from the frozen stage-1 teacher.

    Data samples carry ``gt_img``, ``img_lq`` (PIL-bicubic upsampled LR
    input), ``ref_img`` and ``correspondence``.

    Args:
        student (dict): :class:`ContrasExtractor` config (ImageNet VGG16).
        teacher (dict): :class:`ContrasExtractor` config with the stage-1
            ``checkpoint``; frozen.
        distill_loss (dict): :class:`CorrelationDistillationLoss` config.
        **kwargs: See :class:`ContrasStageModel`.
    """

    def __init__(self, student: dict, teacher: dict, distill_loss: dict,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.student = MODELS.build(student)
        self.teacher = MODELS.build(teacher)
        self.teacher.requires_grad_(False)
        self.distill_loss = MODELS.build(distill_loss)

    def train(self, mode: bool = True) -> 'ContrasStudent':
        super().train(mode)
        self.teacher.eval()
        return self

    def matching_features(self, data_samples: DataSample):
        device = self.device_of()
        return self.student(
            batch_image(data_samples, 'img_lq', device),
            batch_image(data_samples, 'ref_img', device))

    def compute_losses(self, data_samples: DataSample) -> dict:
        device = self.device_of()
        student1, student2 = self.matching_features(data_samples)
        with torch.no_grad():
            teacher1, teacher2 = self.teacher(
                batch_image(data_samples, 'gt_img', device),
                batch_image(data_samples, 'ref_img', device))
        kept = self.kept(data_samples, student1.shape[-2:])
        return dict(
            loss_margin=self.margin_loss(student1, student2, kept),
            loss_kl=self.distill_loss(student1, student2, teacher1, teacher2,
                                      kept))
