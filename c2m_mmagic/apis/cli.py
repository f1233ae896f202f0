"""Helpers shared by the command-line tools."""
import logging
import os.path as osp
import sys
from typing import NoReturn, Optional

from mmengine.config import Config
from mmengine.logging import print_log


def fail(err: BaseException) -> NoReturn:
    """Prints one readable line for ``err`` and exits with status 1."""
    message = err.args[0] if isinstance(err, KeyError) and err.args else err
    print(f'error: {message}', file=sys.stderr)
    sys.exit(1)


def load_config(path: str, options: Optional[dict] = None) -> Config:
    """Reads a config file and merges ``--cfg-options``.

    Args:
        path (str): Config file.
        options (dict, optional): Overrides.

    Returns:
        Config: The merged config.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file not found: {path}')
    cfg = Config.fromfile(path)
    if options:
        cfg.merge_from_dict(options)
    return cfg


def enable_amp(cfg: Config) -> None:
    """Switches every optimizer wrapper of ``cfg`` to AmpOptimWrapper.

    Args:
        cfg (Config): Config whose ``optim_wrapper`` is a single wrapper or
            a dict of wrappers (MultiOptimWrapperConstructor).
    """
    wrappers = [cfg.optim_wrapper] if 'type' in cfg.optim_wrapper else [
        v for v in cfg.optim_wrapper.values()
        if isinstance(v, dict) and 'type' in v
    ]
    for wrapper in wrappers:
        if wrapper.type == 'AmpOptimWrapper':
            continue
        if wrapper.type != 'OptimWrapper':
            raise ValueError('--amp needs optimizer wrappers of type '
                             f'OptimWrapper, got {wrapper.type}')
        wrapper.type = 'AmpOptimWrapper'
        wrapper.loss_scale = 'dynamic'
    print_log('mixed precision enabled (AmpOptimWrapper)', 'current',
              logging.INFO)
