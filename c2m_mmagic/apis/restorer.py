"""Single-pair Ref-SR inference on image files."""
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from mmagic.registry import MODELS
from ..models.editors.c2matching.c2matching import pil_bicubic_resize
from ..utils import atomic_write

SCALE = 4


def read_rgb(path: str, what: str) -> np.ndarray:
    """Reads an image file as uint8 RGB (H, W, 3).

    Grey, palette and RGBA images are converted as PIL's ``convert('RGB')``
    does (alpha dropped); 16-bit images are scaled to 8 bits.

    Args:
        path (str): Image file.
        what (str): Its role ('--img', '--ref'), for error messages.

    Returns:
        np.ndarray: uint8 RGB image.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what}: image not found: {path}')
    try:
        with Image.open(path) as img:
            img.load()
            if img.mode in ('I;16', 'I;16B', 'I;16L', 'I'):
                arr = np.asarray(img, dtype=np.float64)
                arr = np.clip(np.round(arr / 257.), 0, 255).astype(np.uint8)
                img = Image.fromarray(arr, mode='L')
            return np.asarray(img.convert('RGB'))
    except (OSError, SyntaxError, ValueError) as err:
        raise ValueError(
            f'{what}: cannot read image {path}: {err}') from err


def write_png_atomic(img: np.ndarray, path: str) -> None:
    """Writes a uint8 RGB image as PNG via a temporary file and a rename."""
    atomic_write(path, lambda f: Image.fromarray(img).save(f, format='PNG'))


def to_tensor(img: np.ndarray, device) -> torch.Tensor:
    """uint8 (H, W, 3) -> float (1, 3, H, W) in [0, 1]."""
    t = torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1)
    return t[None].to(device, torch.float32) / 255.


def to_image(t: torch.Tensor) -> np.ndarray:
    """(1, 3, H, W) float -> uint8 (H, W, 3), clamped and rounded."""
    t = (t[0].detach().float().clamp(0, 1) * 255.).round().byte()
    return t.permute(1, 2, 0).cpu().numpy()


def mod_crop(img: np.ndarray, scale: int = SCALE) -> np.ndarray:
    """Crops (H, W, C) to multiples of ``scale`` (bottom/right)."""
    h, w = img.shape[:2]
    return img[:h - h % scale, :w - w % scale]


class RefSRRestorer:
    """Loads a C²-Matching config and checkpoint and restores image pairs.

    Args:
        config (str | Config): Model config.
        checkpoint (str): mmengine checkpoint (e.g. from
            ``tools/convert_official_ckpt.py``).
        device (str): 'cpu' or 'cuda'.
    """

    def __init__(self, config, checkpoint: str, device: str = 'cpu') -> None:
        if isinstance(config, str):
            if not osp.isfile(config):
                raise FileNotFoundError(f'config file not found: {config}')
            config = Config.fromfile(config)
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
        if device.startswith('cuda') and not torch.cuda.is_available():
            raise ValueError(f'--device {device}: CUDA is not available')
        init_default_scope('mmagic')
        self.device = torch.device(device)
        self.model = MODELS.build(config.model)
        load_weights(self.model, checkpoint)
        self.model.to(self.device).eval()

    @torch.no_grad()
    def restore(self, lr: np.ndarray, ref: np.ndarray) -> np.ndarray:
        """Super-resolves one LR image with one HR reference.

        Args:
            lr (np.ndarray): uint8 RGB LR image (h, w, 3).
            ref (np.ndarray): uint8 RGB HR reference, any size; mod-cropped
                to multiples of 4.

        Returns:
            np.ndarray: uint8 RGB image (4h, 4w, 3).
        """
        ref = mod_crop(ref)
        for name, arr, minimum in (('--img', lr, 3), ('--ref', ref, 12)):
            if min(arr.shape[:2]) < minimum:
                raise ValueError(
                    f'{name}: image of {arr.shape[1]}x{arr.shape[0]} pixels '
                    f'is too small; 3x3 feature patches need at least '
                    f'{minimum}x{minimum}')
        img = to_tensor(lr, self.device)
        img_lq_up = pil_bicubic_resize(img, (SCALE * lr.shape[0],
                                             SCALE * lr.shape[1]))
        out = self.model.restore(img, to_tensor(ref, self.device), img_lq_up)
        return to_image(out)


def load_weights(model: torch.nn.Module, path: str,
                 optional_prefixes=('discriminator.', )) -> None:
    """Loads a checkpoint for inference, refusing one that does not fit.

    Entries under ``optional_prefixes`` (the discriminator, unused at test
    time) may be missing; any other missing or unexpected entry, or a shape
    mismatch, is an error naming the first offenders.

    Args:
        model (nn.Module): The model built from the config.
        path (str): mmengine checkpoint or plain state dict.
        optional_prefixes (tuple[str]): Prefixes that may be absent.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint not found: {path}')
    try:
        state = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # truncated, or not a torch file
        raise ValueError(f'cannot read checkpoint {path} '
                         f'({type(err).__name__}: {err})') from err
    if isinstance(state, dict) and isinstance(state.get('state_dict'), dict):
        state = state['state_dict']
    own = model.state_dict()
    missing = [k for k in own if k not in state
               and not k.startswith(tuple(optional_prefixes))]
    unexpected = [k for k in state if k not in own]
    mismatched = [
        f'{k} {tuple(state[k].shape)} vs {tuple(v.shape)}'
        for k, v in own.items()
        if k in state and tuple(state[k].shape) != tuple(v.shape)
    ]
    if missing or unexpected or mismatched:
        raise ValueError(
            f'checkpoint {path} does not fit {type(model).__name__}: '
            f'missing {missing[:3]} ({len(missing)}), unexpected '
            f'{unexpected[:3]} ({len(unexpected)}), shape mismatches '
            f'{mismatched[:3]} ({len(mismatched)})')
    model.load_state_dict(state, strict=False)
