from .homography import RandomHomographyRef, correspondence_map

__all__ = ['RandomHomographyRef', 'correspondence_map']
