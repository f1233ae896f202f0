"""summary.md of a tools/device_check.sh run: the measurements beside the
targets of the CUDA path.

Example:
    python tools/device_summary.py work_dirs/device_check
"""
import argparse
import json
import os.path as osp
from typing import List, Optional

from c2m_mmagic.utils import write_text


def read(folder: str, name: str) -> Optional[dict]:
    path = osp.join(folder, name)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def table_lines(rows: List[dict]) -> List[str]:
    """One Markdown row per benchmark measurement."""
    lines = [
        '| what | size | impl | band elements | matmul | median ms | '
        'peak GiB |', '|---|---|---|---|---|---|---|'
    ]
    for r in rows:
        lines.append(f"| {r['what']} | {r['size']} | {r['impl']} | "
                     f"{r.get('chunk_elements', '')} | "
                     f"{r.get('matmul', '')} | " +
                     (f"{r['median_ms']:.1f} | {r['peak_gib']:.2f} |"
                      if 'error' not in r else f"{r['error']} | |"))
    return lines


def speed_lines(bench: dict) -> List[str]:
    """The benchmark table and the speed and memory targets."""
    rows = bench['results']

    def find(what, size, impl):
        return next(
            (r for r in rows
             if r['what'] == what and r['size'] == size and r['impl'] == impl),
            None)

    lines = [f"Benchmark on {bench['device']}:", ''] + table_lines(rows)
    lines += ['', '| target | measured | met |', '|---|---|---|']
    targets = [('inference', '332x500', 3.0), ('train', None, 4.0),
               ('inference', '1024x1024', 3.0)]
    for what, size, wanted in targets:
        size = size or next((r['size'] for r in rows if r['what'] == what), '')
        fast, ref = find(what, size, 'fast'), find(what, size, 'reference')
        if not fast or not ref or 'error' in fast or 'error' in ref:
            lines.append(f'| {what} {size} >= {wanted}x faster | not '
                         'measured | no |')
            continue
        ratio = ref['median_ms'] / fast['median_ms']
        met = ratio >= wanted and (size != '1024x1024'
                                   or fast['peak_gib'] < ref['peak_gib'])
        lines.append(f'| {what} {size} >= {wanted}x faster' + (
            ' with lower peak memory' if size == '1024x1024' else '') +
                     f' | {ratio:.2f}x, {fast["peak_gib"]:.2f} vs '
                     f'{ref["peak_gib"]:.2f} GiB | {"yes" if met else "no"} |')
    big = find('inference', '2048x2048', 'fast')
    if big:
        ok = 'error' not in big and big['peak_gib'] <= 40
        lines.append('| inference 2048x2048 within 40 GiB | ' +
                     (f"{big['peak_gib']:.2f} GiB" if 'error' not in
                      big else big['error']) + f' | {"yes" if ok else "no"} |')
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
    lines = [f"| matching equals float64 on >= 99.5% | {m['agreement']:.4%} "
             f"of {m['positions']} | {yes(m['ok'])} |"]
    if 'with_tf32' in m:
        t = m['with_tf32']
        lines.append(f"| the same with TF32 matrix products | "
                     f"{t['agreement']:.4%} | {yes(t['ok'])} |")
    lines.append('| output within 1 grey level of the CPU on >= 99.5% '
                 '(PyTorch defaults) | ' + output(d))
    if 'without_tf32' in d:
        lines.append('| the same with TF32 off | ' +
                     output(d['without_tf32']))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('folder')
    folder = parser.parse_args().folder
    lines = ['# Device check', '']
    env = read(folder, 'env.json')
    if env:
        lines += [
            '`' + ', '.join(f'{k} {v}' for k, v in env.items()) + '`', ''
        ]
    bench = read(folder, 'bench.json')
    lines += speed_lines(bench) if bench else ['benchmark: no results']
    variants = read(folder, 'bench_variants.json')
    if variants:
        lines += ['', 'Fast matching variants (band budget, matrix-product '
                  'precision):', ''] + table_lines(variants['results'])
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
    print(text)


if __name__ == '__main__':
    main()
