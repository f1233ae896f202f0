"""Configs and models as the tools, the benchmark and the tests build them:
a config file with overrides, the same config with random weights and no
weight files, and a model for test with given test-time settings."""
import copy
import os.path as osp
from typing import Optional, Union

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs')


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


def random_weights_config(config: Union[str, Config],
                          num_blocks: Optional[int] = None) -> Config:
    """A C²-Matching config whose model reads no weight file: the matching
    network, the reference VGG19 and the perceptual loss's VGG keep a random
    initialisation (the log says so). For tests, benchmarks and a device
    check, where only shapes and speed matter.

    Args:
        config (str | Config): A config file (relative paths are read under
            ``configs/``), or a config.
        num_blocks (int, optional): Residual blocks per generator stage
            (a smaller model); None keeps the config's.
    """
    if isinstance(config, str):
        path = config if osp.isfile(config) else osp.join(CONFIGS, config)
        cfg = load_config(path)
    else:
        cfg = copy.deepcopy(config)
    cfg.model.extractor.init_cfg = None
    cfg.model.ref_extractor.pretrained = None
    if cfg.model.get('perceptual_loss'):
        cfg.model.perceptual_loss.pretrained = None
    if num_blocks is not None:
        cfg.model.generator.num_blocks = num_blocks
    return cfg


def build_model(cfg: Config,
                device: Union[str, torch.device] = 'cpu',
                test_cfg: Optional[dict] = None) -> torch.nn.Module:
    """The model of ``cfg`` on ``device``, its ``test_cfg`` updated by
    ``test_cfg`` (tiling, matching, precision: validated by the model)."""
    init_default_scope('mmagic')
    from mmagic.registry import MODELS
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.test_cfg = {**(model_cfg.get('test_cfg') or {}),
                          **(test_cfg or {})}
    return MODELS.build(model_cfg).to(device)
