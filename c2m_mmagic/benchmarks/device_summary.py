"""summary.md of a ``tools/device_check.sh`` run: the measurements beside
the targets of the CUDA path."""
import json
import os.path as osp
from typing import List, Optional

from ..utils import write_text


def read(folder: str, name: str) -> Optional[dict]:
    path = osp.join(folder, name)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


# what a benchmark row may vary beyond what, size and impl
VARIANT_KEYS = ('chunk_elements', 'matmul', 'matching', 'precision', 'tiling')


def table_lines(rows: List[dict]) -> List[str]:
    """One Markdown row per benchmark measurement."""
    lines = [
        '| what | size | impl | band elements | matmul | matching | '
        'precision | median ms | peak GiB |',
        '|---|---|---|---|---|---|---|---|---|'
    ]
    for r in rows:
        lines.append(f"| {r['what']} | {r['size']} | {r['impl']} | " +
                     ''.join(f"{r.get(k, '')} | " for k in VARIANT_KEYS[:4]) +
                     (f"{r['median_ms']:.1f} | {r['peak_gib']:.2f} |"
                      if 'error' not in r else f"{r['error']} | |"))
    return lines


def speed_lines(bench: dict) -> List[str]:
    """The benchmark table and the speed and memory targets."""
    rows = bench['results']

    def find(what, size, impl):  # the default row, not a variant
        return next((r for r in rows if r['what'] == what and r['size'] ==
                     size and r['impl'] == impl and not any(
                         k in r for k in VARIANT_KEYS)), None)

    lines = [f"Benchmark on {bench['device']}:", ''] + table_lines(rows)
    lines += ['', '| target | measured | met |', '|---|---|---|']
    targets = [('inference', '332x500', 2.0), ('inference', '1024x1024', 2.0),
               ('inference', '2048x2048', 2.0), ('train_rec', None, 1.5),
               ('train', None, 1.5)]
    for what, size, wanted in targets:
        size = size or next((r['size'] for r in rows if r['what'] == what), '')
        fast, ref = find(what, size, 'fast'), find(what, size, 'reference')
        if not fast or not ref or 'error' in fast or 'error' in ref:
            lines.append(f'| {what} {size} >= {wanted}x faster | not '
                         'measured | no |')
            continue
        ratio = ref['median_ms'] / fast['median_ms']
        memory = {'1024x1024': ' with lower peak memory',
                  '2048x2048': ' within 16 GiB'}.get(size, '')
        met = ratio >= wanted and (
            size != '1024x1024' or fast['peak_gib'] < ref['peak_gib']) and (
                size != '2048x2048' or fast['peak_gib'] <= 16)
        lines.append(f'| {what} {size} >= {wanted}x faster{memory} | '
                     f'{ratio:.2f}x, {fast["peak_gib"]:.2f} vs '
                     f'{ref["peak_gib"]:.2f} GiB | {"yes" if met else "no"} |')
    return lines + tiling_lines(rows)


def tiling_lines(rows: List[dict]) -> List[str]:
    """The tiled restoration's targets: 4096² within 12 GiB, time per output
    megapixel within 1.25x of the untiled run at 2048²."""
    def tiled(size, untiled=False):
        return next((r for r in rows if r['size'] == size and 'error' not in r
                     and r.get('tiling') not in (None, 'auto') and (
                         r['tiling'] == 'off') == untiled), None)

    lines = []
    big = tiled('4096x4096')
    if big:
        lines.append(f"| inference 4096x4096 tiled within 12 GiB | "
                     f"{big['peak_gib']:.2f} GiB | "
                     f"{'yes' if big['peak_gib'] <= 12 else 'no'} |")
    on, off = tiled('2048x2048'), tiled('2048x2048', untiled=True)
    if on and off:
        ratio = on['median_ms'] / off['median_ms']
        lines.append(f'| 2048x2048 tiled time within 1.25x of untiled | '
                     f'{ratio:.2f}x | {"yes" if ratio <= 1.25 else "no"} |')
    return lines


def accuracy_lines(accuracy: dict) -> List[str]:
    """Matching against float64 and device output against the CPU's, each
    with the TF32 variant measured beside it."""
    def yes(ok):
        return 'yes' if ok else 'no'

    def output(d):
        return (f"{d['within_one_level']:.4%} (max {d['max_difference']}) | "
                f"{yes(d['ok'])} |")

    m, d = accuracy['matching'], accuracy['device_vs_cpu']
    lines = []
    for name in ('pixel', 'rescored', 'fused', 'release', 'pixel_with_tf32'):
        if name in m:
            default = ' (the default here)' if name == m.get('default') \
                else ''
            lines.append(f"| {name} matching equals float64 on >= 99.5%"
                         f"{default} | {m[name]['agreement']:.4%} of "
                         f"{m[name]['positions']} | {yes(m[name]['ok'])} |")
    lines.append('| output within 1 grey level of the CPU on >= 99.5% '
                 '(defaults) | ' + output(d))
    if 'without_tf32' in d:
        lines.append('| the same with TF32 off | ' +
                     output(d['without_tf32']))
    b = accuracy.get('bf16_vs_fp32')
    if b:
        lines.append(f"| bf16 inference within 0.05 dB of fp32 | "
                     f"{b['psnr_gap_db']:.3f} dB, {b['within_one_level']:.2%}"
                     f" of pixels within 1 level | {yes(b['ok'])} |")
    return lines


def write_summary(folder: str) -> str:
    """Writes ``folder``/summary.md from the JSON files there; returns it."""
    lines = ['# Device check', '']
    env = read(folder, 'env.json')
    if env:
        lines += [
            '`' + ', '.join(f'{k} {v}' for k, v in env.items()) + '`', ''
        ]
    bench = read(folder, 'bench.json')
    lines += speed_lines(bench) if bench else ['benchmark: no results']
    if osp.isfile(osp.join(folder, 'profile.md')):
        lines += ['', 'Where the time goes: profile.md (torch.profiler, top '
                  '25 kernels of one step each).']
    accuracy = read(folder, 'accuracy.json')
    if accuracy:
        lines += ['', '| accuracy target | measured | met |', '|---|---|---|']
        lines += accuracy_lines(accuracy)
    amp = read(folder, 'amp.json')
    if amp:
        lines += [
            '', f"--amp vs fp32 over {amp['steps']} steps: largest relative "
            f"difference of {amp['window']}-step mean {amp['key']} "
            f"{amp['max_relative_difference']:.2%} (tolerance "
            f"{amp['tolerance']:.0%}): {'tracks' if amp['ok'] else 'DIVERGES'}"
        ]
    steps = osp.join(folder, 'steps.txt')
    if osp.isfile(steps):
        lines += ['', 'Steps:', '', '```', open(steps).read().strip(), '```']
    text = '\n'.join(lines) + '\n'
    write_text(text, osp.join(folder, 'summary.md'))
    return text
