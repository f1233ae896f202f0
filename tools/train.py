"""Train a c2m_mmagic (or any mmagic) model with mmengine's Runner.

Example:
    python tools/train.py configs/c2matching_cufed.py --work-dir work_dirs/x
"""
import argparse

import torch
from cli_helpers import (add_runner_arguments, enable_amp, fail, runner_config,
                         split_global_batch, world_size)
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner import Runner

from c2m_mmagic.engine import NonFiniteLossError
from c2m_mmagic.utils import weights_only_globals


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='resume from the latest checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision training')
    add_runner_arguments(parser)
    return parser.parse_args()


def train(cfg: Config) -> Runner:
    """Trains with mmengine's Runner; returns it (its ``work_dir``)."""
    runner = Runner.from_cfg(cfg)
    # --resume and load_from read mmengine checkpoints: weights-only, with
    # the types those hold allowed for this run only
    with weights_only_globals():
        runner.train()
    runner.logger.info(f'Checkpoints and logs are in {cfg.work_dir}')
    return runner


def main() -> None:
    args = parse_args()
    cfg: Config = runner_config(args)
    if args.amp:
        if not torch.cuda.is_available():
            raise ValueError('--amp: mixed-precision training needs a CUDA '
                             "GPU (mmengine's AmpOptimWrapper); none found")
        enable_amp(cfg, 'bfloat16' if torch.cuda.is_bf16_supported() else
                   'float16')
    if args.resume:
        cfg.resume = True
    if args.launcher != 'none':
        split_global_batch(cfg, world_size())
    if args.launcher == 'pytorch' and not torch.cuda.is_available():
        # mmengine 0.10.7 would call torch.cuda.set_device and use NCCL;
        # processes on a CPU machine talk over gloo, set up here so that the
        # Runner finds the process group already initialised.
        torch.distributed.init_process_group('gloo')
        wrapper = cfg.get('model_wrapper_cfg') or dict()
        wrapper['device_ids'] = None  # DDP on CPU modules takes no devices
        cfg.model_wrapper_cfg = wrapper
        print_log('distributed on CPU: gloo backend', 'current')
    train(cfg)
    if torch.distributed.is_initialized():
        # leaving gloo's threads to the interpreter's exit can abort a rank
        # ("terminate called without an active exception")
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError, KeyError,
            NonFiniteLossError) as err:
        fail(err)
