from .demo_data import make_demo_dataset
from .refsr_dataset import RefSRDataset
from .transforms import (PadToCommonSize, RandomHomographyRef,
                         StackReferences, correspondence_map)

__all__ = [
    'PadToCommonSize', 'RandomHomographyRef', 'RefSRDataset',
    'StackReferences', 'correspondence_map', 'make_demo_dataset'
]
