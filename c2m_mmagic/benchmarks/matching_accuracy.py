"""Accuracy of a matching implementation against the exact search, measured
on real pairs with a model's own features (``tools/matching_accuracy.py``):
the share of positions whose chosen index equals the exact search's, and
what the output loses: the Y-PSNR of the model's output with it against the
output with the exact matching, and of each against the ground truth.

The outputs are made by the pipeline's own stages (``inference.stages``,
``executors.OnePass``) with the matching under test in stage 3, so the
comparison isolates the matching. Pairs: the stereo motorcycle pair (a true
input/reference pair with parallax) at given sizes, alone and with two
unrelated photos as further references, and the held-out demo test images
with their true and with an unrelated reference.
"""
import os.path as osp
import time
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
import torch
from PIL import Image

from ..apis.refsr_inferencer import RefSRInferencer
from ..datasets.demo_data import stereo_pair
from ..evaluation import y_psnr
from ..models.editors.c2matching.correspondence import index_to_flow
from ..models.editors.c2matching.inference import OnePass
from ..models.editors.c2matching.inference.stages import (
    matching_features, reference_search_space)
from ..models.editors.c2matching.patch_matching import (MATCHINGS,
                                                        brute_force_match)
from ..utils import bicubic_input, rgb_to_tensor

Matcher = Callable[..., Tuple[torch.Tensor, torch.Tensor]]


def as_uint8(out: torch.Tensor) -> np.ndarray:
    return (out[0].clamp(0, 1) * 255).round().byte().permute(1, 2,
                                                             0).numpy()


class PairReport:
    """Restores one pair with each matching and compares.

    Args:
        model (C2Matching): The model (its networks and settings).
    """

    def __init__(self, model) -> None:
        self.model = model
        self.nets = model.networks

    @torch.no_grad()
    def run(self, gt: np.ndarray, refs: Sequence[np.ndarray],
            matchers: Dict[str, Matcher]) -> Dict[str, dict]:
        """Per matching: its indices' agreement with the first matching's,
        the time it took, and the output's Y-PSNR (against the truth and
        against the first matching's output)."""
        gt, lr, up = bicubic_input(gt)
        refs = [r[:r.shape[0] // 4 * 4, :r.shape[1] // 4 * 4] for r in refs]
        inputs, img_lq_up = rgb_to_tensor(lr), rgb_to_tensor(up)
        ref_tensors = [rgb_to_tensor(r) for r in refs]
        feat_in, feats_ref = matching_features(self.nets.extractor,
                                               img_lq_up, ref_tensors)
        space = reference_search_space(feats_ref, ref_tensors,
                                       img_lq_up.shape[-2:],
                                       self.model.test_settings.ref_gap)
        out, first = {}, None
        for name, match in matchers.items():
            start = time.perf_counter()
            index, score = match(feat_in, space.feat_ref, 2**26,
                                 space.valid, False)
            seconds = time.perf_counter() - start
            flow = index_to_flow(index, space.feat_ref.shape[-1],
                                 feat_in.shape[-2:])
            sr = as_uint8(OnePass().generate(self.nets, inputs, flow, space))
            row = dict(seconds=seconds, psnr=y_psnr(sr, gt))
            if first is None:
                first = (index, sr, score)
            else:
                row['agreement'] = float((index == first[0]).double().mean())
                # a near-tie lost: the chosen score within 1% of the best
                gap = (first[2] - score) / first[2].abs().clamp(min=1e-12)
                row['within_1_percent'] = float((gap <= 0.01).double().mean())
                row['psnr_to_first'] = y_psnr(sr, first[1])
                row['psnr_gap'] = row['psnr'] - out[next(iter(out))]['psnr']
            out[name] = row
        out['positions'] = int(first[0].numel())
        return out


def oracle_agreement(model, gt: np.ndarray, ref: np.ndarray,
                     names: Sequence[str]) -> Dict[str, float]:
    """Agreement of each matching with the float64 oracle on the pair's
    features (small pairs: the oracle holds every score)."""
    _, _, up = bicubic_input(gt)
    ref = ref[:ref.shape[0] // 4 * 4, :ref.shape[1] // 4 * 4]
    with torch.no_grad():
        feat_in, (feat_ref, ) = matching_features(model.extractor,
                                                  rgb_to_tensor(up),
                                                  [rgb_to_tensor(ref)])
    truth = brute_force_match(feat_in, feat_ref)
    return {
        name: float((MATCHINGS[name].fn(feat_in, feat_ref)[0] == truth)
                    .double().mean())
        for name in names
    }


def unrelated_photos(size: Tuple[int, int]) -> List[np.ndarray]:
    """Two photos of other scenes (scikit-image's astronaut and coffee) at
    ``size`` (h, w), as further references."""
    from skimage import data
    return [
        np.asarray(Image.fromarray(img).resize((size[1], size[0]),
                                               Image.BICUBIC))
        for img in (data.astronaut(), data.coffee())
    ]


def demo_pairs(data_root: str) -> List[Tuple[str, np.ndarray, list]]:
    """The held-out demo test images, each with its true reference and with
    the next image's (unrelated)."""

    def read(name):
        with Image.open(osp.join(data_root, name)) as img:
            return np.asarray(img.convert('RGB'))

    stems = [f'{i:03d}' for i in range(5)]
    pairs = []
    for i, stem in enumerate(stems):
        gt = read(f'{stem}_0.png')
        pairs.append((f'{stem} true', gt, [read(f'{stem}_1.png')]))
        other = stems[(i + 1) % len(stems)]
        pairs.append((f'{stem} unrelated', gt, [read(f'{other}_1.png')]))
    return pairs


def measure(config: str, checkpoint: str, names: Sequence[str],
            stereo_sizes: Sequence[Tuple[int, int]], demo_root: str,
            forced: Dict[str, dict]) -> Dict[str, dict]:
    """Every pair of the module docstring, each matching of ``names`` (the
    first is the yardstick), a matching's keyword options by name in
    ``forced`` (e.g. the hierarchical one with no size threshold)."""
    model = RefSRInferencer(config, checkpoint, 'cpu').model.eval()
    report = PairReport(model)

    def matcher(name):
        fn = MATCHINGS[name].fn
        options = forced.get(name, {})
        return lambda *args: fn(*args, **options)

    matchers = {name: matcher(name) for name in names}
    results = {}
    for size in stereo_sizes:
        gt, ref = stereo_pair(size)
        key = f'stereo {size[0]}x{size[1]}'
        results[key] = report.run(gt, [ref], matchers)
        if size[0] * size[1] <= 160 * 240:
            results[key]['oracle'] = oracle_agreement(model, gt, ref, names)
        results[f'{key}, +2 unrelated references'] = report.run(
            gt, [ref] + unrelated_photos(size), matchers)
    if demo_root:
        for label, gt, refs in demo_pairs(demo_root):
            results[f'demo {label}'] = report.run(gt, refs, matchers)
    return results


def summary_rows(results: Dict[str, dict],
                 names: Sequence[str]) -> Dict[str, dict]:
    """One table row per pair (the demo images averaged per reference
    kind): each tested matching's agreement with the yardstick, its output's
    PSNR gap, and both times."""
    first, rest = names[0], names[1:]
    groups: Dict[str, List[dict]] = {}
    for key, result in results.items():
        label = key
        if key.startswith('demo '):
            label = f"demo images, {key.rsplit(' ', 1)[-1]} reference"
        groups.setdefault(label, []).append(result)
    rows = {}
    for label, items in groups.items():
        row = {'images': len(items)}
        for name in rest:
            row[f'{name} = {first}'] = np.mean(
                [r[name]['agreement'] for r in items])
            if 'oracle' in items[0]:
                row[f'{name} = float64'] = items[0]['oracle'][name]
            row[f'{name} score within 1%'] = np.mean(
                [r[name]['within_1_percent'] for r in items])
            row[f'{first} PSNR'] = np.mean([r[first]['psnr'] for r in items])
            row[f'{name} PSNR gap dB'] = np.mean(
                [r[name]['psnr_gap'] for r in items])
            row[f'{name} output vs {first} output dB'] = np.mean(
                [min(r[name]['psnr_to_first'], 99.) for r in items])
            row[f'{first} s'] = np.sum([r[first]['seconds'] for r in items])
            row[f'{name} s'] = np.sum([r[name]['seconds'] for r in items])
        rows[label] = row
    return rows
