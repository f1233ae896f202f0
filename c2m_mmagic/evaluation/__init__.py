from .metrics import MatchingAccuracy

__all__ = ['MatchingAccuracy']
