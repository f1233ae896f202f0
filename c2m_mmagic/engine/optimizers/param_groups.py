"""Optimizer parameter groups as the release builds them: one group per
distinct set of options (docs/method.md §5.4).

mmengine's ``paramwise_cfg`` (the per-branch offset learning rates) gives
every parameter a group of its own: the generator's Adam then holds 296
groups for 296 tensors, and its multi-tensor (foreach) path, which works per
group, degenerates into a loop of tiny launches on a GPU. The release builds
four groups (the generator, the offsets of relu1/relu2/relu3 at 1×/0.1×/
0.01×). Here the per-parameter groups are merged into one group per
distinct set of options, which gives those four (mmengine records the
offsets' ``lr_mult`` in their groups, 1.0 for relu1's): every parameter keeps its learning rate (and any
other option) at every iteration of any schedule, since schedulers scale
each group alike, and each step computes the same numbers.
"""
from typing import Dict, List

import torch
from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor

from mmagic.engine.optimizers import MultiOptimWrapperConstructor
from mmagic.registry import OPTIM_WRAPPER_CONSTRUCTORS


def options_key(group: dict) -> tuple:
    """What makes two parameter groups the same: every option but the
    parameters."""
    return tuple(sorted((k, repr(v)) for k, v in group.items()
                        if k != 'params'))


def merge_param_groups(groups: List[dict]) -> List[dict]:
    """Groups with equal options as one, in order of first appearance, their
    parameters in the order given."""
    merged: Dict[tuple, dict] = {}
    for group in groups:
        key = options_key(group)
        if key in merged:
            merged[key]['params'] = list(merged[key]['params']) + list(
                group['params'])
        else:
            merged[key] = dict(group, params=list(group['params']))
    return list(merged.values())


def merge_saved_groups(optimizer: torch.optim.Optimizer,
                       state_dict: dict) -> dict:
    """A load-state-dict pre-hook: a state dict saved with per-parameter
    groups (a checkpoint from before the merge) is merged alike, so that it
    resumes into the merged groups."""
    saved = state_dict['param_groups']
    if len(saved) == len(optimizer.param_groups):
        return state_dict
    merged = merge_param_groups(saved)
    if len(merged) != len(optimizer.param_groups):
        return state_dict  # torch's own check names the mismatch
    return dict(state_dict, param_groups=merged)


def describe_groups(groups: List[dict], base_lr: float) -> str:
    """'4 parameter groups for 296 tensors (lr 0.0001: 284 tensors, ...)'."""
    sizes = ', '.join(f"lr {g.get('lr', base_lr):g}: {len(g['params'])}"
                      for g in groups)
    tensors = sum(len(g['params']) for g in groups)
    return f'{len(groups)} parameter groups for {tensors} tensors ({sizes})'


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class GroupedOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """mmengine's ``DefaultOptimWrapperConstructor`` whose per-parameter
    groups (``paramwise_cfg``) are merged into one per distinct set of
    options (module docstring); the group count is logged."""

    def add_params(self,
                   params: List[dict],
                   module: torch.nn.Module,
                   prefix: str = '',
                   is_dcn_module=None) -> None:
        super().add_params(params, module, prefix, is_dcn_module)
        if not prefix:  # the top call: every parameter has its group now
            params[:] = merge_param_groups(params)
            print_log(
                f'{type(module).__name__}: ' +
                describe_groups(params, self.base_lr), 'current')

    def __call__(self, model: torch.nn.Module):
        wrapper = super().__call__(model)
        wrapper.optimizer.register_load_state_dict_pre_hook(
            merge_saved_groups)
        return wrapper


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class GroupedMultiOptimWrapperConstructor(MultiOptimWrapperConstructor):
    """mmagic's ``MultiOptimWrapperConstructor`` (one optimizer per module:
    generator, discriminator) with :class:`GroupedOptimWrapperConstructor`
    for each."""

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg=None) -> None:
        super().__init__(optim_wrapper_cfg, paramwise_cfg)
        if not isinstance(self.constructors, dict):
            raise ValueError('GroupedMultiOptimWrapperConstructor: give one '
                             'optimizer per module (generator=..., '
                             'discriminator=...)')
        for key, cfg in self.optim_cfg.items():
            cfg = cfg.copy()
            cfg.pop('modules', None)
            paramwise = cfg.pop('paramwise_cfg', None)
            self.constructors[key] = GroupedOptimWrapperConstructor(
                cfg, paramwise)
