"""Stops training at the first non-finite loss, keeping the evidence."""
import os.path as osp

import torch
from mmengine.hooks import Hook

from mmagic.registry import HOOKS
from ...utils import atomic_backend_args, atomic_write


class NonFiniteLossError(RuntimeError):
    """A loss term became NaN or Inf."""


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """After each training iteration, checks every logged loss term; on NaN
    or Inf it saves ``nonfinite_iter_<n>.pth`` (model, optimizer, the data
    batch) in the work dir and stops with an error naming the iteration
    and the term."""
    priority = 'VERY_HIGH'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        bad = {
            name: float(value)
            for name, value in (outputs or {}).items()
            if name.startswith('loss')
            and not bool(torch.isfinite(torch.as_tensor(value)).all())
        }
        if not bad:
            return
        iteration = runner.iter + 1
        name = f'nonfinite_iter_{iteration}.pth'
        runner.save_checkpoint(
            runner.work_dir,
            name,
            save_optimizer=True,
            save_param_scheduler=False,
            backend_args=atomic_backend_args())
        batch_file = osp.join(runner.work_dir,
                              f'nonfinite_iter_{iteration}_batch.pth')
        atomic_write(batch_file, lambda f: torch.save(data_batch, f))
        terms = ', '.join(f'{k}={v}' for k, v in bad.items())
        raise NonFiniteLossError(
            f'non-finite loss at iteration {iteration}: {terms}. Saved '
            f'{osp.join(runner.work_dir, name)} and {batch_file}; the last '
            f'regular checkpoint in {runner.work_dir} is unaffected.')
