"""WGAN-GP penalty with the norm taken per sample over all of C×H×W."""
import torch
import torch.nn as nn

from mmagic.models.losses.gan_loss import gradient_penalty_loss
from mmagic.registry import MODELS


@MODELS.register_module()
class SampleGradientPenaltyLoss(nn.Module):
    """mmagic's gradient penalty, but ``norm_mode`` selectable.

    mmagic's ``GradientPenaltyLoss`` takes the gradient norm per pixel over
    channels; the C²-Matching release takes it per sample over every element
    (``norm_mode='HWC'``).

    Args:
        loss_weight (float): Default: 10.
        norm_mode (str): 'HWC' (per sample) or 'pixel'. Default: 'HWC'.
    """

    def __init__(self, loss_weight: float = 10., norm_mode: str = 'HWC'):
        super().__init__()
        self.loss_weight = loss_weight
        self.norm_mode = norm_mode

    def forward(self, discriminator: nn.Module, real_data: torch.Tensor,
                fake_data: torch.Tensor) -> torch.Tensor:
        """Returns loss_weight * mean over samples of (||∇D(x̂)|| - 1)²."""
        return self.loss_weight * gradient_penalty_loss(
            discriminator, real_data, fake_data, norm_mode=self.norm_mode)
