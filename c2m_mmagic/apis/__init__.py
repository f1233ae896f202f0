from .convert import convert_official
from .refsr_inferencer import RefSRInferencer, check_image

__all__ = ['RefSRInferencer', 'check_image', 'convert_official']
