"""ValidateFirstHook: one validation of the initial weights."""
from types import SimpleNamespace

from c2m_mmagic.engine import ValidateFirstHook


def test_validates_before_a_fresh_start_only():
    runs = []
    loop = SimpleNamespace(run=lambda: runs.append('val'))
    logger = SimpleNamespace(info=lambda message: None)
    hook = ValidateFirstHook()
    hook.before_train(SimpleNamespace(iter=0, val_loop=loop, logger=logger))
    assert runs == ['val']
    hook.before_train(SimpleNamespace(iter=40, val_loop=loop, logger=logger))
    hook.before_train(SimpleNamespace(iter=0, val_loop=None, logger=logger))
    assert runs == ['val']  # not when resuming, nor without validation
