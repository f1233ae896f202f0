"""Time C²-Matching: matching alone, inference per image, a stage-3 training
step, and peak memory; the shipped implementation ("fast") or a plain one of
the released algorithm ("reference": per-sample loop, chunked conv2d patch
correlation, fp32, deformable conv through torchvision on the reference's
grid). "memory" rows are inference rows each measured in a process of its
own (a CPU's peak resident memory only grows), untiled and tiled.

Examples:
    python tools/benchmark.py --device cpu --impl fast reference \
        --what matching --size 332x500 --json work_dirs/bench.json
    python tools/benchmark.py --what memory --impl fast --size 512x512 \
        1024x1024 --tiling off auto --repeat 1 --warmup 0
"""
import argparse
import json
import os.path as osp
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import product
from typing import Callable, Dict, List, Optional

import torch
import torch.nn.functional as F
from cli_helpers import REPO
from mmengine.config import Config
from mmengine.registry import init_default_scope

from c2m_mmagic.models.editors.c2matching.correspondence import \
    CorrespondenceGenerator
from c2m_mmagic.models.editors.c2matching.patch_matching import PATCH


def reference_match(feat_in: torch.Tensor,
                    feat_ref: torch.Tensor,
                    ref_valid: torch.Tensor = None):
    """The release's matching: per sample, reference patches as conv2d
    kernels in chunks of 1024²·512/(h·w), running max (earlier index wins);
    patches outside ``ref_valid`` (several references) never win.

    Returns:
        Tensor: (N, h-2, w-2) indices.
    """
    out = []
    for n, (x, r) in enumerate(zip(feat_in, feat_ref)):
        valid = None if ref_valid is None else ref_valid[n].flatten()
        c, h, w = x.shape
        kernels = F.unfold(r[None], PATCH)[0].t().reshape(-1, c, PATCH, PATCH)
        chunk = int(1024.**2 * 512 / (h * w))
        best_val = best_idx = None
        for start in range(0, kernels.shape[0], chunk):
            k = kernels[start:start + chunk]
            k = k / (k.flatten(1).norm(dim=1).view(-1, 1, 1, 1) + 1e-5)
            scores = F.conv2d(x[None], k)[0]
            if valid is not None:
                scores[~valid[start:start + chunk]] = float('-inf')
            val, idx = scores.max(0)
            if best_val is None:
                best_val, best_idx = val, idx
            else:
                better = val > best_val
                best_val[better] = val[better]
                best_idx[better] = idx[better] + start
        out.append(best_idx)
    return torch.stack(out)


class ReferenceCorrespondence(CorrespondenceGenerator):
    """CorrespondenceGenerator with the release's per-sample matching."""

    def matching_fn(self, device):

        def release_matching(feat_in, feat_ref, chunk, ref_valid, progress):
            return reference_match(feat_in, feat_ref, ref_valid), None

        return release_matching


# the stage-3 model of each training row: the GAN one, and the "-rec" one
# (L1 only), as released
CONFIGS = dict(train='c2matching_cufed.py',
               train_rec=osp.join('c2matching', 'c2matching-rec_x4c64b16_'
                                  '1xb9-255k_cufed.py'))


def build_model(impl: str,
                device: torch.device,
                blocks: int,
                chunk_elements: Optional[int] = None,
                config: str = CONFIGS['train'],
                matching: str = 'auto',
                precision: str = 'fp32'):
    """A stage-3 model from ``configs/<config>``, random weights."""
    init_default_scope('mmagic')
    from mmagic.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    cfg.model.extractor.init_cfg = None
    cfg.model.ref_extractor.pretrained = None
    if cfg.model.get('perceptual_loss'):
        cfg.model.perceptual_loss.pretrained = None
    cfg.model.correspondence.matching = matching
    cfg.model.test_cfg = dict(cfg.model.get('test_cfg') or {},
                              precision=precision)
    cfg.model.generator.num_blocks = blocks
    cfg.model.generator.offset_warn_threshold = None
    cfg.model.train_cfg.pixel_init = 0
    if chunk_elements:
        cfg.model.correspondence.chunk_elements = chunk_elements
    if impl == 'reference':
        cfg.model.generator.deform_conv = 'torchvision'
    model = MODELS.build(cfg.model)
    if impl == 'reference':
        model.correspondence = ReferenceCorrespondence()
    return model.to(device), cfg


def timed(fn: Callable, device: torch.device, warmup: int,
          repeat: int) -> Dict[str, float]:
    """Median and spread of ``repeat`` runs after ``warmup``; peak memory."""
    for _ in range(warmup):
        fn()
    if device.type == 'cuda':
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        if device.type == 'cuda':
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated() if device.type == 'cuda' else \
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return dict(
        median_ms=1e3 * statistics.median(times),
        min_ms=1e3 * min(times),
        max_ms=1e3 * max(times),
        peak_gib=peak / 2**30)


def make_step(impl: str, what: str, size, device, args) -> Callable:
    """What one row times, as a function (a training step on ``size``
    crops, batch ``args.batch``)."""
    torch.manual_seed(0)
    h, w = size
    if what == 'matching':
        gen = ReferenceCorrespondence() if impl == 'reference' else \
            CorrespondenceGenerator(args.chunk_elements or 2**26,
                                    args.matching)
        feat_in = torch.randn(1, 256, h // 4, w // 4, device=device)
        feat_ref = torch.randn(1, 256, h // 4, w // 4, device=device)
        return lambda: gen(feat_in, feat_ref)
    model, cfg = build_model(impl, device, args.blocks, args.chunk_elements,
                             CONFIGS.get(what, CONFIGS['train']),
                             args.matching, args.precision)
    if what == 'inference':
        from mmagic.structures import DataSample
        model.eval()
        model.tile_progress = False
        if args.tiling == 'off':
            model.max_pixels_per_pass = h * w  # one pass
        elif args.tiling != 'auto':
            model.tile = int(args.tiling)
        lr = torch.rand(1, 3, h // 4, w // 4, device=device)
        up = F.interpolate(lr, scale_factor=4, mode='bicubic').clamp(0, 1)
        refs = torch.randint(0, 256, (1, args.refs, 3, h, w), device=device)
        samples = DataSample(
            ref_img=refs[:, 0] if args.refs == 1 else refs,
            img_lq=(up * 255).round())
        samples.set_metainfo(dict(ref_sizes=[[(h, w)] * args.refs]))

        def step():
            with torch.no_grad():
                model(lr, samples, mode='tensor')

        return step
    # one stage-3 training step: GAN (generator + discriminator) or -rec
    from mmengine.optim import build_optim_wrapper
    from mmagic.structures import DataSample
    model.train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    n = args.batch
    samples = [
        DataSample(
            gt_img=torch.randint(0, 256, (3, h, w), dtype=torch.uint8),
            ref_img=torch.randint(0, 256, (3, h, w), dtype=torch.uint8),
            img_lq=torch.randint(0, 256, (3, h, w), dtype=torch.uint8))
        for _ in range(n)
    ]
    batch = dict(
        inputs=[
            torch.randint(0, 256, (3, h // 4, w // 4), dtype=torch.uint8)
            for _ in range(n)
        ],
        data_samples=samples)
    return lambda: model.train_step(batch, optim)


def profile_table(step: Callable, device: torch.device, title: str,
                  rows: int = 25) -> str:
    """torch.profiler's table of one ``step``: the top ``rows`` kernels (CUDA)
    or operators (CPU) by their own time, with their share."""
    from torch.profiler import ProfilerActivity, profile
    activities = [ProfilerActivity.CPU] + (
        [ProfilerActivity.CUDA] if device.type == 'cuda' else [])
    with profile(activities=activities) as prof:
        step()
        if device.type == 'cuda':
            torch.cuda.synchronize()
    key = 'self_cuda_time_total' if device.type == 'cuda' else \
        'self_cpu_time_total'
    table = prof.key_averages().table(sort_by=key, row_limit=rows,
                                      max_name_column_width=60)
    return f'## {title}\n\n```\n{table}\n```\n'


def append_text(path: str, text: str) -> None:
    old = open(path).read() if osp.isfile(path) else ''
    from c2m_mmagic.utils import write_text
    write_text(old + text + '\n', path)


def measure_alone(impl: str, size, refs: int, args) -> Dict[str, float]:
    """An inference row measured by a process of its own."""
    with tempfile.TemporaryDirectory() as folder:
        out = osp.join(folder, 'row.json')
        proc = subprocess.run([
            sys.executable, __file__, '--device', args.device, '--impl', impl,
            '--what', 'inference', '--size', f'{size[0]}x{size[1]}',
            '--refs', str(refs), '--blocks', str(args.blocks), '--tiling',
            args.tiling, '--warmup', str(args.warmup), '--repeat',
            str(args.repeat), '--matching', args.matching, '--precision',
            args.precision, '--json', out
        ], capture_output=True, text=True)
        if proc.returncode != 0:
            return dict(error=proc.stderr.strip().splitlines()[-1][:200])
        row = json.load(open(out))['results'][0]
    return {k: row[k] for k in ('median_ms', 'min_ms', 'max_ms', 'peak_gib')}


def measure(impl: str, what: str, size, refs: int, device,
            args) -> Dict[str, float]:
    """One row of the table: the measurement, or the error that stopped
    it (out of memory)."""
    row = dict(what=what, size=f'{size[0]}x{size[1]}', impl=impl, refs=refs)
    if impl == 'fast' and args.matching != 'auto':
        row['matching'] = args.matching
    if impl == 'fast' and args.precision != 'fp32':
        row['precision'] = args.precision
    if what in ('inference', 'memory') and args.tiling != 'auto':
        row['tiling'] = args.tiling
    if args.chunk_elements:
        row['chunk_elements'] = args.chunk_elements
    if args.matmul_tf32:
        row['matmul'] = 'tf32'
    flag = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = args.matmul_tf32 or flag
    try:
        if what == 'memory':
            row.update(measure_alone(impl, size, refs, args))
        else:
            step = make_step(impl, what, size, device,
                             argparse.Namespace(**{**vars(args),
                                                   'refs': refs}))
            row.update(timed(step, device, args.warmup, args.repeat))
            if args.profile and impl == 'fast':
                append_text(args.profile, profile_table(
                    step, device, f'{what} {row["size"]} '
                    f'({variant_name(row)}, {row["median_ms"]:.1f} ms)'))
    except torch.cuda.OutOfMemoryError:
        row.update(error='out of memory')
    finally:
        torch.backends.cuda.matmul.allow_tf32 = flag
    if device.type == 'cuda':
        torch.cuda.empty_cache()
    result = f'{row["median_ms"]:10.1f} ms  peak {row["peak_gib"]:.2f} GiB' \
        if 'error' not in row else row['error']
    print(f'{what:9s} {row["size"]:11s} refs {refs} '
          f'{variant_name(row):9s} {result}', flush=True)
    return row


def variants(args) -> List[tuple]:
    """(impl, band budget, matmul precision, matching, precision) of each
    row; the reference runs once, with PyTorch's defaults."""
    out = []
    for impl in args.impl:
        if impl == 'reference':
            out.append((impl, None, 'fp32', 'auto', 'fp32'))
            continue
        out += [(impl, ) + v for v in product(
            args.chunk_elements, args.matmul, args.matching, args.precision)]
    return out


def variant_name(row: dict) -> str:
    """'fast', or e.g. 'fast, bands 268435456, tf32 matmul, tiles 64'."""
    tiling = row.get('tiling')
    return ', '.join([row['impl']] + (
        [f"bands {row['chunk_elements']}"] if 'chunk_elements' in row else []
    ) + (['tf32 matmul'] if row.get('matmul') == 'tf32' else []) + (
        [f"{row['matching']} matching"] if 'matching' in row else []) + (
        [row['precision']] if 'precision' in row else []) + (
        [] if tiling is None else ['untiled'] if tiling == 'off' else
        [f'tiles {tiling}']))


def write_json(path: str, device_name: str, rows: List[dict]) -> None:
    from c2m_mmagic.utils import write_text
    write_text(json.dumps(dict(device=device_name, results=rows), indent=2),
               path)


def parse_size(text: str):
    h, w = (int(v) for v in text.lower().split('x'))
    return h, w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument(
        '--impl',
        nargs='+',
        default=['fast', 'reference'],
        choices=['fast', 'reference'])
    parser.add_argument(
        '--what',
        nargs='+',
        default=['matching'],
        choices=['matching', 'inference', 'train', 'train_rec', 'memory'],
        help='train: a stage-3 GAN step; train_rec: a "-rec" step (L1 '
        'only), both at --train-size, batch --batch')
    parser.add_argument(
        '--size',
        nargs='+',
        type=parse_size,
        default=[(332, 500)],
        help='HxW of the HR image')
    parser.add_argument('--batch', type=int, default=9, help='training batch')
    parser.add_argument(
        '--refs',
        type=int,
        nargs='+',
        default=[1],
        help='references per input of the inference rows (several: the '
        'multi-reference option, each of the input\'s size)')
    parser.add_argument(
        '--train-size',
        type=parse_size,
        default=(160, 160),
        help='HxW of the HR training crops (the release: '
        '160x160)')
    parser.add_argument(
        '--blocks', type=int, default=16, help='residual blocks per stage')
    parser.add_argument(
        '--chunk-elements',
        type=int,
        nargs='+',
        default=[None],
        help='memory budgets of one matching band of the fast path, a row '
        'each (default: the config\'s, 2**26)')
    parser.add_argument(
        '--matmul',
        nargs='+',
        default=['fp32'],
        choices=['fp32', 'tf32'],
        help='CUDA matrix-product precision of the fast rows, a row each '
        '(tf32: a candidate speed-up of the matching; fp32: PyTorch\'s '
        'default)')
    parser.add_argument(
        '--tiling',
        nargs='+',
        default=['auto'],
        help='inference and memory rows: auto (the model\'s '
        'max_pixels_per_pass), off (one pass) or a tile side in LR pixels; '
        'a row each')
    parser.add_argument(
        '--matching',
        nargs='+',
        default=['auto'],
        choices=['auto', 'pixel', 'rescored'],
        help='patch matching of the fast rows, a row each (auto: rescored '
        'on CUDA, pixel on a CPU)')
    parser.add_argument(
        '--precision',
        nargs='+',
        default=['fp32'],
        choices=['fp32', 'bf16'],
        help='inference precision of the fast rows (test_cfg.precision), a '
        'row each')
    parser.add_argument(
        '--profile',
        metavar='MD',
        help='append a torch.profiler table (top 25 kernels by time) of one '
        'more step of each fast row to this Markdown file')
    parser.add_argument(
        '--append',
        action='store_true',
        help='keep the rows already in --json (one file for several runs)')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--json', help='write the results here')
    args = parser.parse_args()
    device = torch.device(args.device)
    device_name = torch.cuda.get_device_name() if device.type == 'cuda' \
        else 'cpu'
    rows: List[dict] = []
    if args.append and args.json and osp.isfile(args.json):
        with open(args.json) as f:
            rows = json.load(f)['results']
    first = len(rows)
    for what in args.what:
        for size in [args.train_size] if what.startswith('train') else \
                args.size:
            for refs, tiling in product(
                    args.refs if what in ('inference', 'memory') else [1],
                    args.tiling if what in ('inference', 'memory') else
                    ['auto']):
                for impl, chunk, matmul, matching, precision in variants(
                        args):
                    rows.append(
                        measure(
                            impl, what, size, refs, device,
                            argparse.Namespace(
                                **{
                                    **vars(args), 'chunk_elements': chunk,
                                    'matmul_tf32': matmul == 'tf32',
                                    'tiling': tiling, 'matching': matching,
                                    'precision': precision
                                })))
                    if args.json:  # after each row: a run cut short keeps
                        # the rows it measured
                        write_json(args.json, device_name, rows)
    print(f'\n| what | size | refs | impl | median ms | peak GiB | '
          f'speed-up |\n|---|---|---|---|---|---|---|  ({device_name}, '
          f'{torch.get_num_threads()} threads)')
    for row in rows[first:]:
        base = next((r for r in rows if r['impl'] == 'reference'
                     and 'error' not in r and all(
                         r[k] == row[k] for k in ('what', 'size', 'refs'))),
                    None)
        label = (f'| {row["what"]} | {row["size"]} | {row["refs"]} | '
                 f'{variant_name(row)} |')
        if 'error' in row:
            print(f'{label} {row["error"]} | | |')
            continue
        speedup = f'{base["median_ms"] / row["median_ms"]:.2f}x' \
            if base else ''
        print(f'{label} {row["median_ms"]:.1f} | {row["peak_gib"]:.2f} | '
              f'{speedup} |')


if __name__ == '__main__':
    main()
