"""Accuracy of the fast paths on a device (``tools/device_accuracy.py``,
for ``tools/device_check.sh``).

1. matching: patch-matching indices on the device, each implementation
   (``patch_matching.MATCHINGS``), against a float64 brute force on
   real-image features, share of equal positions (target >= 99.5%); on CUDA
   also the pixel matching with TF32 matrix products;
2. CUDA vs CPU: the same weights (random, seeded, the released size) on a
   real stereo pair, share of output pixels within one grey level of the CPU
   output (target >= 99.5%), with the device's defaults (the matching it
   chooses) and, on CUDA, with TF32 off;
3. bf16: the device's bf16 inference (test_cfg.precision) against its fp32
   output on the pair: pixels within one grey level, and the Y-PSNR of each
   against the truth (target: within 0.05 dB).
"""
import contextlib
import os.path as osp
import tempfile

import numpy as np
import torch

from ..apis.model_configs import build_model, random_weights_config
from ..apis.refsr_inferencer import RefSRInferencer
from ..datasets.demo_data import stereo_pair
from ..evaluation import y_psnr
from ..models.editors.c2matching import ContrasExtractor
from ..models.editors.c2matching.patch_matching import (
    MATCHINGS, brute_force_match, l2_normalize_channels, matching_for)
from ..utils import rgb_to_tensor


@contextlib.contextmanager
def tf32(enabled: bool):
    """TF32 for cuDNN convolutions and CUDA matrix products inside; the
    previous flags restored after."""
    flags = (torch.backends.cudnn.allow_tf32,
             torch.backends.cuda.matmul.allow_tf32)
    torch.backends.cudnn.allow_tf32 = enabled
    torch.backends.cuda.matmul.allow_tf32 = enabled
    try:
        yield
    finally:
        (torch.backends.cudnn.allow_tf32,
         torch.backends.cuda.matmul.allow_tf32) = flags


def matching_agreement(device: torch.device, size) -> dict:
    """Student-like features (a random VGG16 to conv3_1, both branches the
    same) of a real stereo pair; fast device indices vs float64."""
    torch.manual_seed(0)
    extractor = ContrasExtractor()
    extractor.init_weights()
    gt, ref = stereo_pair(size)

    with torch.no_grad():
        feat_in, feat_ref = extractor(rgb_to_tensor(gt), rgb_to_tensor(ref))
    feat_in, feat_ref = l2_normalize_channels(feat_in), l2_normalize_channels(
        feat_ref)
    exact = brute_force_match(feat_in, feat_ref)

    def agreement_with_exact(matching):
        fast, _ = MATCHINGS[matching].fn(feat_in.to(device),
                                         feat_ref.to(device))
        agree = float((fast.cpu() == exact).double().mean())
        return dict(
            positions=int(exact.numel()),
            agreement=agree,
            target=0.995,
            ok=agree >= 0.995)

    result = dict(default=matching_for('auto', device))
    for name, matching in MATCHINGS.items():
        if not matching.runs_on(device):
            continue
        result[name] = agreement_with_exact(name)
    if device.type == 'cuda':  # a candidate speed-up: TF32 matrix products
        with tf32(True):
            result['pixel_with_tf32'] = agreement_with_exact('pixel')
        # how often the true best falls outside the fused matching's k
        result['fused_candidates'] = {
            k: float((MATCHINGS['fused'].fn(
                feat_in.to(device), feat_ref.to(device),
                candidates=k)[0].cpu() == exact).double().mean())
            for k in (1, 2, 4, 8, 16)
        }
    return result


def agreement(cpu_out: np.ndarray, out: np.ndarray) -> dict:
    """Share of pixels of ``out`` within one grey level of ``cpu_out``."""
    diff = np.abs(cpu_out.astype(int) - out.astype(int))
    within = float((diff <= 1).mean())
    return dict(
        pixels=int(diff.size),
        within_one_level=within,
        max_difference=int(diff.max()),
        target=0.995,
        ok=within >= 0.995)


def random_release_checkpoint(folder: str):
    """The GAN config with file-free pretrained parts, and a checkpoint of
    seeded random weights of the released size for it."""
    cfg = random_weights_config('c2matching_cufed.py')
    torch.manual_seed(0)
    model = build_model(cfg)
    model.init_weights()
    ckpt = osp.join(folder, 'random.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    return cfg, ckpt


def device_vs_cpu(device: torch.device, size) -> dict:
    """Share of output pixels within one grey level of the CPU output, with
    PyTorch's defaults (on CUDA: TF32 convolutions) and, on CUDA, with TF32
    off everywhere; the device's bf16 output against its fp32 one."""
    from PIL import Image
    with tempfile.TemporaryDirectory() as folder:
        cfg, ckpt = random_release_checkpoint(folder)
        gt, ref = stereo_pair(size)
        h, w = gt.shape[:2]
        Image.fromarray(gt).resize(
            (w // 4, h // 4), Image.BICUBIC).save(osp.join(folder, 'lr.png'))
        Image.fromarray(ref).save(osp.join(folder, 'ref.png'))

        def restore(on, precision='fp32'):
            return RefSRInferencer(
                cfg, ckpt, str(on),
                test_cfg=dict(precision=precision)).restore(
                    osp.join(folder, 'lr.png'), osp.join(folder, 'ref.png'))

        cpu_out = restore('cpu')
        fp32_out = restore(device)
        result = agreement(cpu_out, fp32_out)
        if device.type == 'cuda':
            with tf32(False):
                result['without_tf32'] = agreement(cpu_out, restore(device))
        bf16_out = restore(device, 'bf16')
        bf16 = agreement(fp32_out, bf16_out)
        truth = gt[:fp32_out.shape[0], :fp32_out.shape[1]]
        gap = abs(y_psnr(bf16_out, truth) - y_psnr(fp32_out, truth))
        bf16.update(psnr_gap_db=gap, psnr_target_db=0.05, ok=gap <= 0.05)
    return result, bf16


def device_accuracy(device, size) -> dict:
    """Every measurement above on ``device`` for the stereo pair at
    ``size`` (H, W)."""
    device = torch.device(device)
    outputs, bf16 = device_vs_cpu(device, tuple(size))
    return dict(
        device=torch.cuda.get_device_name()
        if device.type == 'cuda' else 'cpu',
        matching=matching_agreement(device, tuple(size)),
        device_vs_cpu=outputs,
        bf16_vs_fp32=bf16)
