"""Training and testing runs with mmengine's Runner, as the tools start them:
the config with the command line's choices, the global batch as released,
mixed precision, CPU processes over gloo, and the logged scalars of a run."""
import glob
import json
import logging
import os
import os.path as osp
from typing import List, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner import Runner

from ..utils import CheckpointMismatchError, weights_only_globals
from .model_configs import load_config


def runner_config(config: str,
                  cfg_options: Optional[dict] = None,
                  launcher: str = 'none',
                  work_dir: Optional[str] = None,
                  local_rank: int = 0) -> Config:
    """``config`` with the runner's options applied; the work dir defaults to
    work_dirs/<config name>."""
    os.environ.setdefault('LOCAL_RANK', str(local_rank))
    cfg = load_config(config, cfg_options)
    cfg.launcher = launcher
    if work_dir:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
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


def enable_amp_on_this_device(cfg: Config) -> None:
    """:func:`enable_amp` in bf16 where the GPU has it, else fp16; a machine
    without CUDA is refused (mmengine's AmpOptimWrapper needs it)."""
    if not torch.cuda.is_available():
        raise ValueError('--amp: mixed-precision training needs a CUDA GPU '
                         "(mmengine's AmpOptimWrapper); none found")
    enable_amp(cfg, 'bfloat16' if torch.cuda.is_bf16_supported() else
               'float16')


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


def setup_launch(cfg: Config, launcher: str) -> None:
    """A launched run (``launcher`` other than 'none'): the global batch
    shared out (:func:`split_global_batch`) and, on a machine without CUDA,
    processes launched by torchrun on gloo (:func:`distribute_on_cpu`)."""
    if launcher == 'none':
        return
    split_global_batch(cfg, world_size())
    if launcher == 'pytorch' and not torch.cuda.is_available():
        distribute_on_cpu(cfg)


def distribute_on_cpu(cfg: Config) -> None:
    """Processes on a CPU machine talk over gloo: the process group is set
    up here, so that the Runner finds it (mmengine 0.10.7 would call
    ``torch.cuda.set_device`` and use NCCL), and DDP gets no devices."""
    torch.distributed.init_process_group('gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict()
    wrapper['device_ids'] = None  # DDP on CPU modules takes no devices
    cfg.model_wrapper_cfg = wrapper
    print_log('distributed on CPU: gloo backend', 'current')


def end_distributed() -> None:
    """Tears the process group down (leaving gloo's threads to the
    interpreter's exit can abort a rank: "terminate called without an
    active exception")."""
    if torch.distributed.is_initialized():
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


def train(cfg: Config) -> Runner:
    """Trains with mmengine's Runner; returns it (its ``work_dir``)."""
    runner = Runner.from_cfg(cfg)
    # --resume and load_from read mmengine checkpoints: weights-only, with
    # the types those hold allowed for this run only
    with weights_only_globals():
        runner.train()
    runner.logger.info(f'Checkpoints and logs are in {cfg.work_dir}')
    return runner


def test(cfg: Config,
         checkpoint: str,
         save_sr: Optional[str] = None,
         out: Optional[str] = None) -> None:
    """Tests ``checkpoint`` with mmengine's Runner; ``save_sr``: a folder for
    every SR output, ``out``: a pickle of predictions and metrics."""
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    cfg.load_from = checkpoint
    if save_sr:
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='SaveSRHook', out_dir=save_sr)
        ]
    if out:
        cfg.test_evaluator = [cfg.test_evaluator] if isinstance(
            cfg.test_evaluator, dict) else list(cfg.test_evaluator)
        cfg.test_evaluator.append(
            dict(type='DumpResults', out_file_path=out))
    runner = Runner.from_cfg(cfg)
    try:
        with weights_only_globals():
            runner.test()
    except CheckpointMismatchError as err:
        raise CheckpointMismatchError(f'{checkpoint}: {err}') from None


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
