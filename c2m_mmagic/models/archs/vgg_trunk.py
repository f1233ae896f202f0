"""Named VGG trunks loaded from torchvision ImageNet weight files.

torchvision's VGG16 and VGG19 share their first layers (up to relu3_1) and
number them ``features.<index>``; C²-Matching's modules name them
``conv1_1``, ``relu1_1`` ... This module builds such trunks and loads
torchvision state dicts into them (a local file or torch's hub cache, never
a download).
"""
import logging
import math
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModule

from ...utils import load_weights

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

# Layer names of torchvision's ``vgg*.features`` in order of index.
_VGG_BLOCKS = {
    'vgg16': (2, 2, 3, 3, 3),
    'vgg19': (2, 2, 4, 4, 4),
}


def vgg_layer_names(vgg_type: str) -> List[str]:
    """Names of the layers of torchvision's ``features`` for a VGG type.

    Args:
        vgg_type (str): 'vgg16' or 'vgg19'.

    Returns:
        list[str]: e.g. ['conv1_1', 'relu1_1', 'conv1_2', ..., 'pool5'].
    """
    if vgg_type not in _VGG_BLOCKS:
        raise ValueError(f'vgg_type must be one of {sorted(_VGG_BLOCKS)}, '
                         f'got {vgg_type!r}')
    names = []
    for block, num_convs in enumerate(_VGG_BLOCKS[vgg_type], start=1):
        for i in range(1, num_convs + 1):
            names += [f'conv{block}_{i}', f'relu{block}_{i}']
        names.append(f'pool{block}')
    return names


def build_vgg_trunk(vgg_type: str, last_layer: str) -> nn.Sequential:
    """Builds torchvision's VGG ``features`` up to ``last_layer``, named.

    Args:
        vgg_type (str): 'vgg16' or 'vgg19'.
        last_layer (str): Name of the last layer kept, e.g. 'conv3_1'.

    Returns:
        nn.Sequential: Layers named as in :func:`vgg_layer_names`.
    """
    names = vgg_layer_names(vgg_type)
    if last_layer not in names:
        raise ValueError(f'{last_layer!r} is not a layer of {vgg_type}')
    layers = OrderedDict()
    in_channels = 3
    for name in names[:names.index(last_layer) + 1]:
        if name.startswith('conv'):
            block = int(name[4])
            out_channels = min(64 * 2**(block - 1), 512)
            layers[name] = nn.Conv2d(in_channels, out_channels, 3, 1, 1)
            in_channels = out_channels
        elif name.startswith('relu'):
            layers[name] = nn.ReLU(inplace=False)
        else:
            layers[name] = nn.MaxPool2d(kernel_size=2, stride=2)
    return nn.Sequential(layers)


def torchvision_revise_keys(vgg_type: str) -> List[Tuple[str, str]]:
    """``revise_keys`` renaming torchvision's ``features.<i>.`` entries to the
    trunk's ``<name>.`` (e.g. ``features.10.weight`` -> ``conv3_1.weight``).

    Args:
        vgg_type (str): 'vgg16' or 'vgg19'.

    Returns:
        list[tuple[str, str]]: (pattern, replacement) per conv layer.
    """
    return [(rf'^features\.{index}\.', f'{name}.')
            for index, name in enumerate(vgg_layer_names(vgg_type))
            if name.startswith('conv')]


def trunk_features(trunk: nn.Sequential, x: torch.Tensor,
                   layers) -> Dict[str, torch.Tensor]:
    """Runs a named trunk and keeps the outputs of ``layers``.

    Args:
        trunk (nn.Sequential): From :func:`build_vgg_trunk`.
        x (Tensor): Normalised input (N, 3, H, W).
        layers (Container[str]): Layer names to keep.

    Returns:
        dict[str, Tensor]: layer name -> output.
    """
    out = {}
    for name, layer in trunk.named_children():
        x = layer(x)
        if name in layers:
            out[name] = x
    return out


def receptive_field(trunk: nn.Sequential, last: str) -> Tuple[int, int]:
    """(radius, stride) in input pixels of the output of layer ``last`` of a
    VGG trunk (3×3 convolutions, 2×2 max pooling)."""
    radius, stride = 0, 1
    for name, layer in trunk.named_children():
        if isinstance(layer, nn.Conv2d):
            radius += stride * (layer.kernel_size[0] // 2)
        elif isinstance(layer, nn.MaxPool2d):
            radius += stride * (layer.kernel_size - 1)
            stride *= layer.stride
        if name == last:
            break
    return radius, stride


def conv_widths(trunk: nn.Sequential) -> List[Tuple[int, int]]:
    """(output channels, stride from the input) of each convolution."""
    out, stride = [], 1
    for layer in trunk.children():
        if isinstance(layer, nn.Conv2d):
            out.append((layer.out_channels, stride))
        elif isinstance(layer, nn.MaxPool2d):
            stride *= layer.stride
    return out


def banded_trunk_features(trunk: nn.Sequential, img: torch.Tensor,
                          layers: Sequence[str],
                          max_elements: int) -> Dict[str, torch.Tensor]:
    """:func:`trunk_features` of a normalised image, computed in bands
    of rows so that no band's widest map exceeds about ``max_elements``.

    Each band reads a halo of input rows at least as deep as the receptive
    field of the deepest layer, starts on the pooling grid, and keeps only
    its own rows: every kept value sees the same inputs as in one pass (the
    image's own edges keep their zero padding).

    Args:
        trunk (nn.Sequential): From :func:`build_vgg_trunk`.
        img (Tensor): (N, 3, H, W), normalised; H a multiple of the deepest
            layer's stride.
        layers (Sequence[str]): Layers to keep.
        max_elements (int): Bound on one band's widest map (N × channels ×
            rows × W elements).

    Returns:
        dict[str, Tensor]: layer -> (N, C, H/s, W/s).
    """
    fields = {layer: receptive_field(trunk, layer) for layer in layers}
    radius, stride = max(fields.values())
    halo = math.ceil(radius / stride) * stride
    n, _, height, width = img.shape
    # elements per input row of the widest map: C × W / s² at stride s
    per_row = max(channels * width / scale**2
                  for channels, scale in conv_widths(trunk))
    rows = int(max_elements // (n * per_row)) - 2 * halo
    rows = max(stride, rows // stride * stride)
    if rows >= height:
        return trunk_features(trunk, img, layers)
    out = {}
    for y0 in range(0, height, rows):
        y1 = min(height, y0 + rows)
        top, bottom = max(0, y0 - halo), min(height, y1 + halo)
        # channels-last bands: oneDNN's faster convolutions on a CPU (about
        # 1.4x on a 2-core EPYC), the same values up to float rounding
        band = img[..., top:bottom, :].contiguous(
            memory_format=torch.channels_last)
        for layer, feat in trunk_features(trunk, band, layers).items():
            s = fields[layer][1]
            if layer not in out:
                out[layer] = feat.new_empty(feat.shape[:2] +
                                            (height // s, feat.shape[-1]))
            out[layer][..., y0 // s:y1 // s, :] = \
                feat[..., (y0 - top) // s:(y1 - top) // s, :]
    return out


def log_random_init(owner: str, vgg_type: str) -> None:
    """States in the log that a VGG keeps its random initialisation."""
    print_log(
        f'{owner}: no ImageNet {vgg_type} weights given (pretrained=None); '
        'its VGG layers keep their random initialisation', 'current',
        logging.WARNING)


def load_torchvision_vgg(trunk: nn.Sequential,
                         vgg_type: str,
                         pretrained: str,
                         owner: str = 'VGG') -> None:
    """Loads a torchvision VGG state dict into a named trunk.

    Only the ``features.*`` entries the trunk uses are needed (a file holding
    only those is accepted); every one of them must be there, with its shape.

    Args:
        trunk (nn.Sequential): Trunk from :func:`build_vgg_trunk`.
        vgg_type (str): 'vgg16' or 'vgg19'.
        pretrained (str): Local file, or ``torchvision://vgg16`` /
            ``torchvision://vgg19`` from torch's hub cache.
        owner (str): Name of the component, used in error messages.
    """
    load_weights(
        trunk,
        pretrained,
        revise_keys=torchvision_revise_keys(vgg_type),
        allow_unexpected=True,
        what=f'{owner}: ImageNet {vgg_type}')


class ImageNetNormalized(BaseModule):
    """Base of modules that normalise RGB input in [0, 1] with ImageNet
    statistics, held as buffers ``mean`` and ``std`` of shape (1, 3, 1, 1)
    as in the released checkpoints.

    Args:
        init_cfg (dict, optional): mmengine init config.
        persistent (bool): Whether ``mean`` and ``std`` are saved in
            state dicts. Default: True.
    """

    def __init__(self,
                 init_cfg: Optional[dict] = None,
                 persistent: bool = True) -> None:
        super().__init__(init_cfg=init_cfg)
        self.register_buffer(
            'mean',
            torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1),
            persistent=persistent)
        self.register_buffer(
            'std',
            torch.tensor(IMAGENET_STD).view(1, 3, 1, 1),
            persistent=persistent)

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        """Returns (x - mean) / std for ``x`` (N, 3, H, W) in [0, 1]."""
        return (x - self.mean) / self.std
