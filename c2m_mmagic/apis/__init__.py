from .convert import CheckpointMismatchError, convert_official
from .restorer import RefSRRestorer

__all__ = ['CheckpointMismatchError', 'RefSRRestorer', 'convert_official']
