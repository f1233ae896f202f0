from .demo_data import make_demo_dataset
from .refsr_dataset import RefSRDataset
from .transforms import RandomHomographyRef, correspondence_map

__all__ = [
    'RandomHomographyRef', 'RefSRDataset', 'correspondence_map', 'make_demo_dataset']
