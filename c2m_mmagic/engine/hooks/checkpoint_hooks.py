"""Checkpoints that weights-only loading reads, and loads that must fit."""
from typing import Sequence

from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.model import is_model_wrapper

from mmagic.registry import HOOKS
from ...utils.checkpoint import (PortableHistoryBuffer, check_fit,
                                 revise_state_dict)


@HOOKS.register_module()
class PortableCheckpointHook(Hook):
    """Makes the checkpoints of a run loadable by ``torch.load`` with
    ``weights_only=True`` (torch >= 2.6's default) under
    :func:`~c2m_mmagic.utils.weights_only_globals`.

    mmengine saves its message hub's ``HistoryBuffer`` objects, whose
    statistics functions unpickle through ``getattr``; in the checkpoint
    (not in the live hub) they become :class:`PortableHistoryBuffer`.
    """
    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        scalars = checkpoint.get('message_hub', {}).get('log_scalars', {})
        for key, buffer in scalars.items():
            if type(buffer) is HistoryBuffer:
                log_history, count_history = buffer.data
                scalars[key] = PortableHistoryBuffer(
                    log_history, count_history, buffer.max_length)


@HOOKS.register_module()
class StrictLoadHook(Hook):
    """Refuses a checkpoint (``load_from`` or ``--resume``) that does not
    fit the model, with one line naming its first mismatches; mmengine would
    only warn and go on with partly random weights.

    Args:
        optional (Sequence[str]): Prefixes of model entries that may be
            missing (e.g. the discriminator, unused at test time).
    """
    priority = 'VERY_HIGH'

    def __init__(self, optional: Sequence[str] = ('discriminator.', )):
        self.optional = tuple(optional)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        state = revise_state_dict(checkpoint.get('state_dict', checkpoint))
        check_fit(state, model, 'the checkpoint', self.optional)
