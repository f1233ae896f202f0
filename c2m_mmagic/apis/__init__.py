"""The plugin's public API: inference on image files, the runs the tools
start, configs and models for tests and benchmarks, checkpoint conversion,
and what the command-line tools share."""
from ..models.editors.c2matching import UPSCALE
from .cli import (PRECISION_CHOICES, USER_ERRORS, add_runner_arguments,
                  add_test_cfg_arguments, args_test_cfg, fail,
                  matching_choices, matching_help, parser_from_doc, run_tool)
from .compare import compare_models
from .convert import convert_official
from .file_inference import (Job, folder_jobs, images_in, pairs_by_name,
                             read_gt, restore_job)
from .model_configs import (CONFIGS, REPO, build_model, load_config,
                            random_weights_config)
from .refsr_inferencer import (MIN_INPUT_SIDE, MIN_REFERENCE_SIDE,
                               RefSRInferencer, check_image)
from .runs import (distribute_on_cpu, enable_amp, enable_amp_on_this_device,
                   end_distributed, latest_scalars, runner_config,
                   setup_launch, split_global_batch, test, train,
                   world_size)

__all__ = [
    'CONFIGS', 'Job', 'MIN_INPUT_SIDE', 'MIN_REFERENCE_SIDE',
    'PRECISION_CHOICES', 'REPO', 'RefSRInferencer', 'UPSCALE',
    'USER_ERRORS', 'add_runner_arguments', 'add_test_cfg_arguments',
    'args_test_cfg', 'build_model', 'check_image', 'compare_models',
    'convert_official', 'distribute_on_cpu', 'enable_amp',
    'enable_amp_on_this_device', 'end_distributed', 'fail', 'folder_jobs',
    'images_in', 'latest_scalars', 'load_config', 'matching_choices',
    'matching_help', 'pairs_by_name', 'parser_from_doc',
    'random_weights_config', 'read_gt', 'restore_job', 'run_tool',
    'runner_config', 'setup_launch', 'split_global_batch', 'test', 'train',
    'world_size'
]
