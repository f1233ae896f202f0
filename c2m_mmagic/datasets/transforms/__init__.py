from .homography import RandomHomographyRef, correspondence_map
from .pad import PadToCommonSize
from .stack_references import StackReferences

__all__ = [
    'PadToCommonSize', 'RandomHomographyRef', 'StackReferences',
    'correspondence_map'
]
