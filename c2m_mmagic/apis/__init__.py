from .convert import convert_official
from .refsr_inferencer import (MIN_INPUT_SIDE, MIN_REFERENCE_SIDE,
                               RefSRInferencer, check_image)

__all__ = [
    'MIN_INPUT_SIDE', 'MIN_REFERENCE_SIDE', 'RefSRInferencer', 'check_image',
    'convert_official'
]
