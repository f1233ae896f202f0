"""A validation before the first training iteration: the baseline."""
from mmengine.hooks import Hook

from mmagic.registry import HOOKS


@HOOKS.register_module()
class ValidateFirstHook(Hook):
    """Runs the validation loop once before training starts (not when
    resuming), so that the log holds the metrics of the initial weights
    beside the trained ones (e.g. matching accuracy before and after stage
    1 or 2)."""
    priority = 'LOWEST'

    def before_train(self, runner) -> None:
        if runner.iter == 0 and runner.val_loop is not None:
            runner.logger.info('validation of the initial weights:')
            runner.val_loop.run()
