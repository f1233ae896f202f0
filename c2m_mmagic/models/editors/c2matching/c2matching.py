"""The C²-Matching editor: Ref-SR with contrastive correspondence (§5)."""
from typing import Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapperDict
from PIL import Image

from mmagic.models.editors.srgan import SRGAN
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from .sample_images import sample_image


def pil_bicubic_resize(img: torch.Tensor, size) -> torch.Tensor:
    """Resizes images with PIL bicubic on uint8, as the release does.

    Args:
        img (Tensor): (N, 3, H, W) RGB in [0, 1], values on the 1/255 grid.
        size (tuple[int]): (height, width) of the output.

    Returns:
        Tensor: (N, 3, height, width) in [0, 1] on ``img``'s device.
    """
    arrays = (img.detach().clamp(0, 1) * 255.).round().byte()
    arrays = arrays.permute(0, 2, 3, 1).cpu().numpy()
    out = [
        np.asarray(
            Image.fromarray(a).resize((size[1], size[0]), Image.BICUBIC))
        for a in arrays
    ]
    out = torch.from_numpy(np.stack(out)).permute(0, 3, 1, 2)
    return out.to(img.device, torch.float32) / 255.


def pad_to_cover(img: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Zero-pads (bottom/right) so that ``img`` is at least height×width."""
    pad_h, pad_w = max(0, height - img.shape[-2]), max(0, width - img.shape[-1])
    if pad_h or pad_w:
        img = F.pad(img, (0, pad_w, 0, pad_h))
    return img


@MODELS.register_module()
class C2Matching(SRGAN):
    """C²-Matching for ×4 reference-based super-resolution.

    ``inputs`` is the LR image; data samples carry ``ref_img`` (HR reference,
    any size, 0-255 RGB), optionally ``img_lq`` (the LR image bicubic-upsampled
    with PIL, 0-255; computed here when absent) and, in training, ``gt_img``.
    With ``discriminator`` and ``gan_loss`` it is the GAN variant, without
    them the "-rec" variant (L1 only).

    Args:
        generator (dict): :class:`C2MatchingNet` config.
        extractor (dict): Frozen contrastive student (:class:`ContrasExtractor`).
        ref_extractor (dict): Frozen VGG19 (:class:`RefVGGExtractor`).
        correspondence (dict): :class:`CorrespondenceGenerator` config.
        pixel_loss (dict): Pixel loss config.
        discriminator (dict, optional): Discriminator config.
        perceptual_loss (dict, optional): Perceptual loss config.
        gan_loss (dict, optional): GAN loss config.
        gradient_penalty_loss (dict, optional): Gradient penalty config.
        train_cfg (dict, optional): ``pixel_init``: iterations with the pixel
            loss only (no perceptual, GAN or discriminator step).
        test_cfg (dict, optional): ``max_ref_pixels``: largest reference
            (height × width) accepted outside training; its VGG features
            and the aggregation grow with its area (default 4096²).
        init_cfg (dict, optional): mmengine init config.
        data_preprocessor (dict, optional): Pre-processor config.
    """

    def __init__(self,
                 generator: dict,
                 extractor: dict,
                 ref_extractor: dict,
                 pixel_loss: dict,
                 correspondence: Optional[dict] = None,
                 discriminator: Optional[dict] = None,
                 perceptual_loss: Optional[dict] = None,
                 gan_loss: Optional[dict] = None,
                 gradient_penalty_loss: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None) -> None:
        super().__init__(
            generator=generator,
            discriminator=discriminator,
            gan_loss=gan_loss,
            pixel_loss=pixel_loss,
            perceptual_loss=perceptual_loss,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            init_cfg=init_cfg,
            data_preprocessor=data_preprocessor)
        self.extractor = MODELS.build(extractor)
        self.extractor.requires_grad_(False)
        self.ref_extractor = MODELS.build(ref_extractor)
        self.ref_extractor.requires_grad_(False)
        self.correspondence = MODELS.build(
            correspondence or dict(type='CorrespondenceGenerator'))
        self.gradient_penalty_loss = MODELS.build(
            gradient_penalty_loss) if gradient_penalty_loss else None
        self.pixel_init = (train_cfg or {}).get('pixel_init', 0)
        # SRGAN keeps the iteration counter out of checkpoints; the pixel-only
        # warm-up must survive --resume, so it is saved here.
        del self.step_counter
        self.register_buffer('step_counter', torch.tensor(0), persistent=True)

    def train(self, mode: bool = True) -> 'C2Matching':
        """Frozen feature networks stay in eval mode."""
        super().train(mode)
        self.extractor.eval()
        self.ref_extractor.eval()
        return self

    def lq_up(self, inputs: torch.Tensor,
              data_samples: Optional[DataSample]) -> torch.Tensor:
        """The bicubic-upsampled LR image used for matching, in [0, 1]."""
        if data_samples is not None and 'img_lq' in data_samples:
            return sample_image(data_samples, 'img_lq', inputs.device)
        h, w = inputs.shape[-2:]
        return pil_bicubic_resize(inputs, (4 * h, 4 * w))

    def forward_tensor(self,
                       inputs: torch.Tensor,
                       data_samples: Optional[DataSample] = None,
                       training: bool = False) -> torch.Tensor:
        """Super-resolves ``inputs`` with the references in ``data_samples``.

        Args:
            inputs (Tensor): LR images (N, 3, h, w) in [0, 1].
            data_samples (DataSample): Stacked samples with ``ref_img``.
            training (bool): Unused; kept for the SRGAN interface.

        Returns:
            Tensor: (N, 3, 4h, 4w), nominally in [0, 1].
        """
        if data_samples is None or 'ref_img' not in data_samples:
            raise ValueError('C2Matching needs the HR reference: data samples '
                             'must carry `ref_img` (pipeline key `ref`)')
        ref = sample_image(data_samples, 'ref_img', inputs.device)
        return self.restore(inputs, ref, self.lq_up(inputs, data_samples))

    def restore(self, img: torch.Tensor, ref: torch.Tensor,
                img_lq_up: torch.Tensor) -> torch.Tensor:
        """The whole method on tensors.

        Args:
            img (Tensor): LR image (N, 3, h, w) in [0, 1].
            ref (Tensor): HR reference (N, 3, Hr, Wr) in [0, 1], any size.
            img_lq_up (Tensor): ``img`` upsampled ×4 (PIL bicubic).

        Returns:
            Tensor: (N, 3, 4h, 4w).
        """
        if not self.training:
            limit = (self.test_cfg or {}).get('max_ref_pixels', 4096 * 4096)
            if ref.shape[-2] * ref.shape[-1] > limit:
                raise ValueError(
                    f'C2Matching: the reference is {ref.shape[-1]}x'
                    f'{ref.shape[-2]} pixels, more than the budget of '
                    f'{limit} (model.test_cfg.max_ref_pixels); shrink it or '
                    'raise the budget')
            for name, t in (('input', img), ('reference', ref)):
                if not bool(torch.isfinite(t).all()):
                    raise ValueError(f'C2Matching: the {name} image holds '
                                     'NaN or Inf values')
        with torch.no_grad():
            feat_in, feat_ref = self.extractor(img_lq_up, ref)
            pre_offsets = self.correspondence(feat_in, feat_ref)
            # The released test pads the reference with zeros up to the
            # input's size; VGG features of that padding enter the
            # condition branch, so do the same where the input is larger.
            hr_h, hr_w = img_lq_up.shape[-2:]
            ref_feats = self.ref_extractor(pad_to_cover(ref, hr_h, hr_w))
        return self.generator(img, pre_offsets, ref_feats)

    def if_run_d(self) -> bool:
        """The discriminator trains after the pixel-only warm-up."""
        return bool(self.discriminator and self.gan_loss
                    and self.step_counter >= self.pixel_init)

    def g_step(self, batch_outputs: torch.Tensor,
               batch_gt_data: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Generator losses: pixel, then perceptual and GAN after warm-up.

        Args:
            batch_outputs (Tensor): Generator output (N, 3, H, W).
            batch_gt_data (Tensor): GT (N, 3, H, W) in [0, 1].

        Returns:
            dict: Loss name -> tensor.
        """
        losses = dict(loss_pix=self.pixel_loss(batch_outputs, batch_gt_data))
        if self.step_counter < self.pixel_init:
            return losses
        if self.perceptual_loss:
            losses['loss_perceptual'] = self.perceptual_loss(
                batch_outputs, batch_gt_data)
        if self.gan_loss and self.discriminator:
            losses['loss_gan'] = self.gan_loss(
                self.discriminator(batch_outputs),
                target_is_real=True,
                is_disc=False)
        return losses

    def d_step_with_optim(self, batch_outputs: torch.Tensor,
                          batch_gt_data: torch.Tensor,
                          optim_wrapper: OptimWrapperDict) -> dict:
        """One discriminator step: WGAN real/fake terms and gradient penalty.

        Args:
            batch_outputs (Tensor): Detached generator output.
            batch_gt_data (Tensor): GT images.
            optim_wrapper (OptimWrapperDict): Holds ``discriminator``.

        Returns:
            dict: Logged losses.
        """
        d_optim_wrapper = optim_wrapper['discriminator']
        with d_optim_wrapper.optim_context(self.discriminator):
            losses = dict(
                loss_d_real=self.d_step_real(batch_outputs, batch_gt_data),
                loss_d_fake=self.d_step_fake(batch_outputs, batch_gt_data))
            if self.gradient_penalty_loss is not None:
                losses['loss_gp'] = self.gradient_penalty_loss(
                    self.discriminator, batch_gt_data, batch_outputs)
        parsed, log_vars = self.parse_losses(losses)
        d_optim_wrapper.update_params(parsed)
        log_vars.pop('loss', None)
        return log_vars

    def train_step(self, data: List[dict],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """SRGAN's step; a lone optimizer wrapper is accepted for "-rec"."""
        if not isinstance(optim_wrapper, OptimWrapperDict):
            optim_wrapper = OptimWrapperDict(generator=optim_wrapper)
        return super().train_step(data, optim_wrapper)
