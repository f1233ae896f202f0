"""PortableCheckpointHook and StrictLoadHook."""
import io
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

from c2m_mmagic.engine import PortableCheckpointHook, StrictLoadHook
from c2m_mmagic.utils import CheckpointMismatchError, weights_only_globals


def test_saved_message_hub_loads_weights_only_and_resumes_the_same():
    hub = MessageHub.get_instance('c2m_portable_test')
    for value in (1.0, 2.0, 4.5):
        hub.update_scalar('train/loss', value)
    checkpoint = dict(message_hub=hub.state_dict(),
                      state_dict={'w': torch.ones(2)})
    PortableCheckpointHook().before_save_checkpoint(None, checkpoint)
    data = io.BytesIO()
    torch.save(checkpoint, data)
    data.seek(0)
    with weights_only_globals():
        loaded = torch.load(data, weights_only=True)
    restored = MessageHub.get_instance('c2m_portable_restored')
    restored.load_state_dict(loaded['message_hub'])
    buffer = restored.get_scalar('train/loss')
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(2.5) and buffer.current() == 4.5
    # the live hub keeps mmengine's own buffers
    assert type(hub.get_scalar('train/loss')) is HistoryBuffer


def test_a_checkpoint_that_does_not_fit_is_refused_with_its_mismatches():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3))
    runner = SimpleNamespace(model=model)
    hook = StrictLoadHook(optional=('discriminator.', ))
    good = {f'module.{k}': v for k, v in model.state_dict().items()}
    good['discriminator.w'] = torch.zeros(1)  # optional: fine either way
    hook.after_load_checkpoint(runner, dict(state_dict=good))
    bad = dict(state_dict={'0.weight': torch.zeros(3, 4), 'x': torch.ones(1)})
    with pytest.raises(CheckpointMismatchError,
                       match=r'does not fit Sequential \(3 problems: missing '
                       r'0.bias \(3,\); 0.weight: shape \(3, 4\), expected '
                       r'\(3, 2\); unexpected x \(1,\)\)'):
        hook.after_load_checkpoint(runner, bad)
