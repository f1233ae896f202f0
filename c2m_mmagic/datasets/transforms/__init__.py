from .homography import RandomHomographyRef, correspondence_map
from .pad import PadToCommonSize

__all__ = ['PadToCommonSize', 'RandomHomographyRef', 'correspondence_map']
