from .gradient_penalty import SampleGradientPenaltyLoss
from .perceptual_loss import FrobeniusPerceptualLoss

__all__ = ['FrobeniusPerceptualLoss', 'SampleGradientPenaltyLoss']
