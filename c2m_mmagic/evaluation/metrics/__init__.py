from .matching_accuracy import MatchingAccuracy

__all__ = ['MatchingAccuracy']
