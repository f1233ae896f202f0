"""Helpers shared by the command-line tools in this folder."""
import argparse
import glob
import json
import logging
import os
import os.path as osp
import sys
from typing import List, NoReturn, Optional, Tuple

from mmengine.config import Config, DictAction
from mmengine.logging import print_log

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO not in sys.path:  # the package, when it is not installed
    sys.path.insert(0, REPO)


def parser_from_doc(doc: str) -> argparse.ArgumentParser:
    """An argument parser whose help is a tool's docstring: the first line
    as the description, the rest (examples) as the epilog, as written."""
    lines = doc.splitlines()
    return argparse.ArgumentParser(
        description=lines[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(lines[1:]))


def fail(err: BaseException) -> NoReturn:
    """Prints one readable line for ``err`` and exits with status 1."""
    message = err.args[0] if isinstance(err, KeyError) and err.args else err
    print(f'error: {message}', file=sys.stderr)
    sys.exit(1)


def latest_scalars(work_dir: str) -> Tuple[str, List[dict]]:
    """The logged scalars of the latest run in ``work_dir``: the path of its
    ``vis_data/scalars.json`` and its records (one JSON object per line)."""
    runs = sorted(
        glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not runs:
        raise FileNotFoundError(f'no training log in {work_dir}; run the '
                                'training first')
    with open(runs[-1]) as f:
        return runs[-1], [json.loads(line) for line in f if line.strip()]


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


def enable_amp(cfg: Config, dtype: str = 'float16') -> None:
    """Switches every optimizer wrapper of ``cfg`` to AmpOptimWrapper.

    Args:
        cfg (Config): Config whose ``optim_wrapper`` is a single wrapper or
            a dict of wrappers (MultiOptimWrapperConstructor).
        dtype (str): Autocast precision: 'bfloat16' where the device has it
            (fp32's range: the dynamic loss scale stays at its start), else
            'float16'.
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
        wrapper.dtype = dtype
    print_log(f'mixed precision enabled (AmpOptimWrapper, {dtype})',
              'current', logging.INFO)


def world_size() -> int:
    """Processes of this (torchrun, slurm or MPI) launch; 1 when alone."""
    for name in ('WORLD_SIZE', 'SLURM_NTASKS', 'OMPI_COMM_WORLD_SIZE'):
        if os.environ.get(name):
            return int(os.environ[name])
    return 1


def split_global_batch(cfg: Config, processes: int) -> None:
    """Makes ``train_dataloader.batch_size`` the global batch, as released:
    each of ``processes`` processes loads an equal share of it.

    Raises:
        ValueError: When the batch does not divide over the processes.
    """
    batch = cfg.train_dataloader.batch_size
    if batch % processes:
        fits = [n for n in range(1, batch + 1) if batch % n == 0]
        raise ValueError(
            f'train_dataloader.batch_size={batch} is the global batch and '
            f'does not divide over {processes} processes; run {fits} '
            'processes, or set a batch that divides '
            '(--cfg-options train_dataloader.batch_size=...)')
    cfg.train_dataloader.batch_size = batch // processes
    print_log(
        f'global batch {batch} = {processes} processes x '
        f'{batch // processes}', 'current', logging.INFO)


def add_runner_arguments(parser: argparse.ArgumentParser) -> None:
    """``--work-dir``, ``--cfg-options``, ``--launcher``, ``--local-rank``."""
    parser.add_argument('--work-dir', help='where logs and outputs go')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config entries, key=value (see mmengine)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def add_precision_arguments(parser: argparse.ArgumentParser) -> None:
    """``--precision`` and ``--matching``: the model's test_cfg choices."""
    parser.add_argument(
        '--precision',
        choices=['fp32', 'bf16'],
        help='fp32 (default) or bf16 autocast for the networks; the matching '
        'and the deformable conv stay fp32 (README: the accuracy measured)')
    parser.add_argument(
        '--matching',
        choices=['auto', 'pixel', 'rescored'],
        help='patch matching: auto (default; rescored on CUDA, pixel on a '
        'CPU), pixel (fp32 pixel products) or rescored (bf16 candidates '
        're-scored in fp32)')


def precision_test_cfg(args: argparse.Namespace) -> dict:
    """The test_cfg entries ``add_precision_arguments``' flags set."""
    return {k: getattr(args, k) for k in ('precision', 'matching')
            if getattr(args, k, None)}


def runner_config(args: argparse.Namespace) -> Config:
    """The config of ``args.config`` with the runner arguments applied; the
    work dir defaults to work_dirs/<config name>."""
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg
