"""Precision at test time: the networks may run under bf16 autocast
(``test_cfg.precision``), the matching and its features never do (an argmax
is sensitive to rounding; docs/method.md §8)."""
import contextlib

import torch

PRECISIONS = dict(fp32=torch.float32, bf16=torch.bfloat16)


def full_precision(device):
    """Autocast off inside: the matching and its features stay fp32 under
    ``--amp`` and bf16 inference."""
    return torch.autocast(torch.device(device).type, enabled=False)


def network_precision(device, precision: str):
    """The networks' precision inside: bf16 autocast, or nothing for fp32."""
    if precision == 'fp32':
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type,
                          dtype=PRECISIONS[precision])
