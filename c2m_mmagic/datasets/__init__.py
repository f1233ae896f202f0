from .demo_data import make_demo_dataset
from .refsr_dataset import RefSRDataset
from .transforms import (PadToCommonSize, RandomHomographyRef,
                         correspondence_map)

__all__ = [
    'PadToCommonSize', 'RandomHomographyRef', 'RefSRDataset',
    'correspondence_map', 'make_demo_dataset'
]
