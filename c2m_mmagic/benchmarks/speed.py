"""Speed and memory of C²-Matching (``tools/benchmark.py``): matching
alone, inference per image, a stage-3 training step ("-rec" or GAN), and
peak memory; the shipped implementation ("fast") or a plain one of the
released algorithm ("reference": the release's conv2d matching, fp32, the
deformable conv through torchvision on the reference's grid). "memory" rows
are inference rows each measured in a process of its own (a CPU's peak
resident memory only grows), untiled and tiled."""
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

from ..apis.model_configs import REPO, build_model, random_weights_config
from ..apis.runs import enable_amp
from ..models.editors.c2matching.correspondence import \
    CorrespondenceGenerator
from ..utils import write_text

# the stage-3 model of each training row: the GAN one, and the "-rec" one
# (L1 only), as released
CONFIGS = dict(train='c2matching_cufed.py',
               train_rec=osp.join('c2matching', 'c2matching-rec_x4c64b16_'
                                  '1xb9-255k_cufed.py'))


def benchmark_model(impl: str,
                    device: torch.device,
                    blocks: int,
                    chunk_elements: Optional[int] = None,
                    config: str = CONFIGS['train'],
                    test_cfg: Optional[dict] = None):
    """A stage-3 model of ``configs/<config>`` with random weights; the
    reference's aggregations run torchvision's DCNv2 (its matching is
    ``test_cfg.matching='release'``). Returns the model and the config."""
    cfg = random_weights_config(config, blocks)
    cfg.model.generator.offset_warn_threshold = None
    cfg.model.train_cfg.pixel_init = 0
    if chunk_elements:
        cfg.model.correspondence.chunk_elements = chunk_elements
    if impl == 'reference':
        cfg.model.generator.deform_conv = 'torchvision'
    return build_model(cfg, device, test_cfg), cfg


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
    matching = 'release' if impl == 'reference' else args.matching
    if what == 'matching':
        gen = CorrespondenceGenerator(args.chunk_elements or 2**26)
        feat_in = torch.randn(1, 256, h // 4, w // 4, device=device)
        feat_ref = torch.randn(1, 256, h // 4, w // 4, device=device)
        return lambda: gen(feat_in, feat_ref, matching=matching)
    test_cfg = dict(matching=matching, tile_progress=False,
                    precision=args.precision)
    if args.tiling == 'off':
        test_cfg['max_pixels_per_pass'] = h * w  # one pass
    elif args.tiling != 'auto':
        test_cfg['tile'] = int(args.tiling)
    model, cfg = benchmark_model(impl, device, args.blocks,
                                 args.chunk_elements,
                                 CONFIGS.get(what, CONFIGS['train']),
                                 test_cfg)
    if what == 'inference':
        from mmagic.structures import DataSample
        model.eval()
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
    # one stage-3 training step: GAN (generator + discriminator) or -rec;
    # precision bf16: mixed precision as tools/train.py --amp trains
    from mmengine.optim import build_optim_wrapper
    from mmagic.structures import DataSample
    model.train()
    if args.precision == 'bf16':
        if device.type != 'cuda':
            raise ValueError('mixed-precision training needs CUDA')
        enable_amp(cfg, 'bfloat16')
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
    write_text(old + text + '\n', path)


def measure_alone(impl: str, size, refs: int, args) -> Dict[str, float]:
    """An inference row measured by a process of its own."""
    with tempfile.TemporaryDirectory() as folder:
        out = osp.join(folder, 'row.json')
        proc = subprocess.run([
            sys.executable, osp.join(REPO, 'tools', 'benchmark.py'), '--device', args.device, '--impl', impl,
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
    except ValueError as err:  # a row this device cannot run
        row.update(error=str(err))
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
    write_text(json.dumps(dict(device=device_name, results=rows), indent=2),
               path)


def parse_size(text: str):
    h, w = (int(v) for v in text.lower().split('x'))
    return h, w


def too_large_untiled(size, args) -> bool:
    """Whether an untiled row of ``size`` is over ``--skip-untiled-above``."""
    limit = getattr(args, 'skip_untiled_above', None)
    return limit is not None and size[0] * size[1] > limit[0] * limit[1]


def run_benchmark(args: argparse.Namespace) -> List[dict]:
    """Measures every row ``args`` asks for (the options of
    ``tools/benchmark.py``), writes them to ``args.json`` after each row and
    prints the table."""
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
                if tiling == 'off' and too_large_untiled(size, args):
                    continue
                for impl, chunk, matmul, matching, precision in variants(
                        args):
                    if what == 'matching' and precision != 'fp32':
                        continue  # the matching runs in fp32 whatever
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
    return rows[first:]
