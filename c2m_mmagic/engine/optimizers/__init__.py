from .param_groups import (GroupedMultiOptimWrapperConstructor,
                           GroupedOptimWrapperConstructor, merge_param_groups)

__all__ = [
    'GroupedMultiOptimWrapperConstructor', 'GroupedOptimWrapperConstructor',
    'merge_param_groups'
]
