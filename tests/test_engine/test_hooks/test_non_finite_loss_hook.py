"""NonFiniteLossHook: stops at the first NaN/Inf loss term, keeping the
evidence."""
import os.path as osp
from types import SimpleNamespace

import pytest
import torch

from c2m_mmagic.engine import NonFiniteLossError, NonFiniteLossHook


def test_stops_with_iteration_and_term_and_saves_the_batch(tmp_path):
    saved = []
    runner = SimpleNamespace(
        iter=6, work_dir=str(tmp_path),
        save_checkpoint=lambda *args, **kwargs: saved.append((args, kwargs)))
    hook = NonFiniteLossHook()
    batch = dict(inputs=[torch.ones(1)])
    hook.after_train_iter(runner, 0, batch, dict(loss_pix=torch.tensor(0.5)))
    assert saved == []
    with pytest.raises(NonFiniteLossError,
                       match=r'iteration 7: loss_gan=nan, loss_gp=inf'):
        hook.after_train_iter(
            runner, 0, batch,
            dict(loss_pix=torch.tensor(0.5), loss_gan=torch.tensor(
                float('nan')), loss_gp=float('inf'), other=float('nan')))
    (args, kwargs), = saved
    assert args == (str(tmp_path), 'nonfinite_iter_7.pth')
    assert kwargs['backend_args'] == dict(backend='atomic_local')
    kept = torch.load(osp.join(tmp_path, 'nonfinite_iter_7_batch.pth'))
    assert torch.equal(kept['inputs'][0], batch['inputs'][0])
