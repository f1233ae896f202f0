from .demo_data import make_demo_dataset
from .transforms import RandomHomographyRef, correspondence_map

__all__ = ['RandomHomographyRef', 'correspondence_map', 'make_demo_dataset']
