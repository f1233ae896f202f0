"""The C²-Matching editor: Ref-SR with contrastive correspondence
(docs/method.md §5)."""
from typing import Dict, List, Optional

import torch
from mmengine.optim import OptimWrapperDict

from mmagic.models.editors.srgan import SRGAN
from mmagic.models.utils import set_requires_grad
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from ....structures import batch_image, batch_references, crop_to_unpadded
from .inference import InferencePipeline, Networks, TestSettings

# SRGAN's discriminator schedule options, which the release's order of
# updates (one discriminator step, then the generator, every iteration after
# the warm-up) has no place for
UNSUPPORTED_TRAIN_OPTIONS = dict(disc_steps=1, disc_repeat=1,
                                 disc_init_steps=0)


@MODELS.register_module()
class C2Matching(SRGAN):
    """C²-Matching for ×4 reference-based super-resolution.

    ``inputs`` is the LR image; data samples carry ``ref_img`` (HR reference,
    any size, 0-255 RGB), ``img_lq`` (the LR image bicubic-upsampled with
    PIL, 0-255, made by the pipeline) and, in training, ``gt_img``. Several
    references per input (K of any sizes, ``StackReferences``) are searched
    as one: each input patch takes its texture from the best of them, with
    the released weights and no retraining (``reference_mosaic``). With
    ``discriminator`` and ``gan_loss`` it is the GAN variant, without them the
    "-rec" variant (L1 only).

    Predictions are scored as the release scores them: clamped and rounded
    to uint8 values, and cropped back to the input's size where the test
    pipeline zero-padded it to the reference's (``PadToCommonSize``, metainfo
    ``unpadded_size``). After ``pixel_init`` iterations each training step
    updates the discriminator first, then the generator against the
    just-updated discriminator (docs/method.md §5.4).

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
            loss only (no perceptual, GAN or discriminator step). SRGAN's
            ``disc_steps``, ``disc_repeat`` and ``disc_init_steps`` are
            refused (the release's update order has no place for them).
        test_cfg (dict, optional): The test-time settings, validated once
            (:class:`~.inference.TestSettings`): ``max_ref_pixels``,
            ``ref_gap``, ``max_pixels_per_pass``, ``tile``,
            ``tile_progress``, ``matching`` (also in training) and
            ``precision``; the forward pass runs through
            :class:`~.inference.InferencePipeline`.
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
        for key, default in UNSUPPORTED_TRAIN_OPTIONS.items():
            if (train_cfg or {}).get(key, default) != default:
                raise ValueError(
                    f'C2Matching: train_cfg.{key} is not supported: as '
                    'released, each iteration after train_cfg.pixel_init '
                    'steps the discriminator once, then the generator')
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
        self.pipeline = InferencePipeline(TestSettings.from_cfg(test_cfg))
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

    @property
    def networks(self) -> Networks:
        """The networks the forward pass runs."""
        return Networks(self.extractor, self.ref_extractor,
                        self.correspondence, self.generator)

    @property
    def test_settings(self) -> TestSettings:
        """The test-time settings in force (from ``test_cfg``)."""
        return self.pipeline.settings

    def update_test_cfg(self, **changes) -> None:
        """Changes test-time settings (e.g. ``tile=64``), validated like
        ``test_cfg``."""
        self.pipeline.settings = self.pipeline.settings.updated(**changes)

    def forward_tensor(self,
                       inputs: torch.Tensor,
                       data_samples: Optional[DataSample] = None,
                       training: bool = False) -> torch.Tensor:
        """Super-resolves ``inputs`` with the references in ``data_samples``.

        Args:
            inputs (Tensor): LR images (N, 3, h, w) in [0, 1].
            data_samples (DataSample): Stacked samples with ``img_lq``
                (N, 3, 4h, 4w) and ``ref_img``: (N, 3, Hr, Wr), or
                (N, K, 3, Hr, Wr) for K references zero-padded to a common
                size with their sizes in the metainfo ``ref_sizes``
                (``StackReferences``); 0-255 RGB.
            training (bool): Unused; kept for the SRGAN interface.

        Returns:
            Tensor: (N, 3, 4h, 4w), nominally in [0, 1].
        """
        img_lq_up = batch_image(data_samples, 'img_lq', inputs.device,
                                inputs.dtype)
        refs = batch_references(data_samples, inputs.device, inputs.dtype)
        return self.pipeline(self.networks, inputs, img_lq_up, refs,
                             self.training)

    def forward_inference(self,
                          inputs: torch.Tensor,
                          data_samples: Optional[DataSample] = None,
                          **kwargs) -> DataSample:
        """mmagic's inference, with the output on the uint8 grid (0-255
        integers, BGR) and cropped to ``unpadded_size`` where given."""
        predictions = super().forward_inference(inputs, data_samples, **kwargs)
        return DataSample(pred_img=crop_to_unpadded(
            predictions.pred_img.round(), data_samples))

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
        """One iteration as released: after the pixel-only warm-up the
        discriminator steps first (real, fake on the detached output,
        gradient penalty), then the generator against the updated
        discriminator. A lone optimizer wrapper is accepted for "-rec".

        Returns:
            dict: Logged losses.
        """
        if not isinstance(optim_wrapper, OptimWrapperDict):
            optim_wrapper = OptimWrapperDict(generator=optim_wrapper)
        data = self.data_preprocessor(data, True)
        data_samples = data['data_samples']
        batch_gt_data = self.extract_gt_data(data_samples)
        with optim_wrapper['generator'].optim_context(self):
            batch_outputs = self.forward_train(data['inputs'], data_samples)
        log_vars = dict()
        if self.if_run_d():
            set_requires_grad(self.discriminator, True)
            log_vars.update(
                self.d_step_with_optim(batch_outputs.detach(), batch_gt_data,
                                       optim_wrapper))
        if self.discriminator is not None:
            set_requires_grad(self.discriminator, False)
        log_vars.update(
            self.g_step_with_optim(batch_outputs, batch_gt_data,
                                   optim_wrapper))
        log_vars.pop('loss', None)
        self.step_counter += 1
        return log_vars
