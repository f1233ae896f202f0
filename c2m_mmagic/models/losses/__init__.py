from .contrastive_loss import (ContrastiveMarginLoss,
                               CorrelationDistillationLoss)
from .gradient_penalty import SampleGradientPenaltyLoss
from .perceptual_loss import FrobeniusPerceptualLoss

__all__ = [
    'ContrastiveMarginLoss', 'CorrelationDistillationLoss',
    'FrobeniusPerceptualLoss', 'SampleGradientPenaltyLoss'
]
