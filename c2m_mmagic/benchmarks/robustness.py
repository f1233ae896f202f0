"""The paper's robustness figures as a benchmark (``tools/robustness.py``):
restoration quality as the reference is rotated or scaled by known amounts,
for one or more mmagic Ref-SR models side by side (C²-Matching, TTSR, ...),
beside bicubic; and, for C²-Matching, the accuracy of its correspondence
beside that of plain VGG features (what the contrastive training starts
from).

- Quality: each transformed set (the test set's inputs with their
  references transformed, ``reference_transforms``) is written as a CUFED5
  folder and tested with each model's own config, as ``tools/test.py``
  tests it (the release's protocol: Y channel, 4-pixel border, the
  config's test pipeline and padding): Y-PSNR/SSIM per transformation per
  model. Bicubic does not depend on the reference: one value per set.
- Matching accuracy: for every test image, a synthetic pair whose truth is
  known: the LR input against its own ground truth transformed; the share
  of input patches whose match lands within 1 and 3 feature pixels (L∞) of
  the true transformed position, counted where that position holds image
  content and a whole 3×3 patch.
"""
import csv
import io
import json
import os
import os.path as osp
import tempfile
from typing import Dict, List, NamedTuple, Optional, Sequence

import numpy as np
import torch
from mmengine.hooks import Hook
from PIL import Image
from tqdm import tqdm

from ..apis.compare import model_config, read_config, test_metrics
from ..evaluation import to_markdown
from ..evaluation.image_metrics import y_psnr, y_ssim
from ..models.editors.c2matching import ContrasExtractor
from ..models.editors.c2matching.inference.stages import matching_features
from ..models.editors.c2matching.patch_matching import matching_for
from ..utils import (atomic_write, bicubic_input, load_weights, rgb_to_tensor,
                     write_text)
from .reference_transforms import ReferenceTransform, sweep

GT, REF = '{}_0.png', '{}_{}.png'  # CUFED5 layout


class ModelSpec(NamedTuple):
    """A model of the comparison.

    Attributes:
        name (str): Its name in tables and plots.
        config (str): Its config (a file or ``mmagic::...``).
        checkpoint (str): Its weights.
        overrides (list[str]): KEY=VALUE config overrides.
        plain_matching (bool): C²-Matching with plain VGG features for the
            matching (the ablation of the contrastive training).
    """
    name: str
    config: str
    checkpoint: str
    overrides: List[str] = []
    plain_matching: bool = False


def test_stems(data_root: str, ref_level: int) -> List[str]:
    """The stems NNN of a CUFED5 folder that have a reference of the level."""
    if not osp.isdir(data_root):
        raise FileNotFoundError(f'--data-root not found: {data_root}')
    stems = sorted(f[:-len('_0.png')] for f in os.listdir(data_root)
                   if f.endswith('_0.png'))
    stems = [s for s in stems
             if osp.isfile(osp.join(data_root, REF.format(s, ref_level)))]
    if not stems:
        raise ValueError(f'--data-root: no NNN_0.png with NNN_{ref_level}'
                         f'.png in {data_root}')
    return stems


def read_rgb(path: str) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert('RGB'))


def write_transformed_set(data_root: str, stems: Sequence[str],
                          ref_level: int, transform: ReferenceTransform,
                          folder: str) -> str:
    """``folder``/NNN_0.png (the inputs, unchanged) and NNN_1.png (their
    references transformed); returns the folder."""
    os.makedirs(folder, exist_ok=True)
    for stem in stems:
        gt_path = osp.join(data_root, GT.format(stem))
        out_gt = osp.join(folder, GT.format(stem))
        if not osp.isfile(out_gt):
            Image.fromarray(read_rgb(gt_path)).save(out_gt)
        ref = read_rgb(osp.join(data_root, REF.format(stem, ref_level)))
        Image.fromarray(transform.apply(ref)).save(
            osp.join(folder, REF.format(stem, 1)))
    return folder


def bicubic_scores(data_root: str, stems: Sequence[str]) -> Dict[str, float]:
    """Y-PSNR/SSIM of the bicubic enlargement, averaged over the set."""
    psnrs, ssims = [], []
    for stem in stems:
        gt, _, up = bicubic_input(read_rgb(osp.join(data_root,
                                                       GT.format(stem))))
        psnrs.append(y_psnr(up, gt))
        ssims.append(y_ssim(up, gt))
    return dict(PSNR=float(np.mean(psnrs)), SSIM=float(np.mean(ssims)))


def plain_extractor(pretrained: Optional[str]) -> ContrasExtractor:
    """The correspondence network before its contrastive training: ImageNet
    VGG16 (``pretrained``) in both branches, or, without weights, the demo's
    start: one seeded random VGG16 in both."""
    torch.manual_seed(0)
    extractor = ContrasExtractor(pretrained=pretrained)
    extractor.init_weights()
    return extractor.eval()


class PlainMatchingHook(Hook):
    """After the checkpoint is loaded, the model's correspondence network
    is replaced by the plain one (the ablation's model)."""

    def __init__(self, extractor: ContrasExtractor) -> None:
        self.state = extractor.state_dict()

    def before_test(self, runner) -> None:
        model = getattr(runner.model, 'module', runner.model)
        model.extractor.load_state_dict(self.state)


@torch.no_grad()
def matching_accuracy(extractor: torch.nn.Module, correspondence,
                      matching: str, gts: Sequence[np.ndarray],
                      transform: ReferenceTransform) -> Dict[str, float]:
    """acc@1 and acc@3 (module docstring) of ``extractor``'s features with
    the model's matching over the images ``gts`` (uint8 RGB)."""
    hits1 = hits3 = total = 0
    for gt in gts:
        gt, _, up = bicubic_input(gt)
        ref = transform.apply(gt)
        ref = ref[:ref.shape[0] // 4 * 4, :ref.shape[1] // 4 * 4]
        feat_in, (feat_ref, ) = matching_features(extractor, rgb_to_tensor(up),
                                                  [rgb_to_tensor(ref)])
        flow = correspondence.flow(
            feat_in, feat_ref, matching=matching_for(matching, 'cpu'),
            normalized=True)[0].numpy()
        h, w = feat_in.shape[-2:]
        hr, wr = feat_ref.shape[-2:]
        ys, xs = np.mgrid[1:h - 1, 1:w - 1]  # patch centres, feature pixels
        found = np.stack([xs + flow[ys - 1, xs - 1, 0],
                          ys + flow[ys - 1, xs - 1, 1]], -1)
        # the centre of feature pixel (y, x) is HR position 4x + 2, 4y + 2
        truth_hr = transform.map_points(
            np.stack([4 * xs + 2., 4 * ys + 2.], -1), gt.shape[1],
            gt.shape[0])
        truth = truth_hr / 4 - 0.5
        content = transform.content(gt.shape[1], gt.shape[0])
        iy = np.clip(truth_hr[..., 1].astype(int), 0, content.shape[0] - 1)
        ix = np.clip(truth_hr[..., 0].astype(int), 0, content.shape[1] - 1)
        valid = content[iy, ix] & (truth[..., 0] >= 1) & (
            truth[..., 0] <= wr - 2) & (truth[..., 1] >= 1) & (
                truth[..., 1] <= hr - 2)
        error = np.abs(found - truth).max(-1)[valid]
        hits1 += int((error <= 1).sum())
        hits3 += int((error <= 3).sum())
        total += int(valid.sum())
    return {'acc@1': hits1 / max(total, 1), 'acc@3': hits3 / max(total, 1),
            'points': total}


class RobustnessBenchmark:
    """The sweep over models × transformations (module docstring).

    Args:
        models (list[ModelSpec]): The models.
        data_root (str): A CUFED5-layout folder (NNN_0.png inputs, NNN_<L>
            references).
        ref_level (int): The reference level used.
        angles, scales (Sequence[float]): The sweeps.
        out_dir (str): Where tables, plots and logs go.
        plain_vgg (str, optional): ImageNet VGG16 weights for the plain
            features (None: the demo's random start).
        keep_sets (str, optional): Keep the transformed sets in this folder
            (default: a temporary one, removed).
    """

    def __init__(self,
                 models: Sequence[ModelSpec],
                 data_root: str,
                 ref_level: int,
                 angles: Sequence[float],
                 scales: Sequence[float],
                 out_dir: str,
                 plain_vgg: Optional[str] = None,
                 keep_sets: Optional[str] = None) -> None:
        if not models:
            raise ValueError('give at least one model (--model NAME CONFIG '
                             'CHECKPOINT)')
        self.models = list(models)
        self.data_root, self.ref_level = data_root, ref_level
        self.transforms = sweep(angles, scales)
        self.out_dir, self.keep_sets = out_dir, keep_sets
        self.plain_vgg = plain_vgg
        self.stems = test_stems(data_root, ref_level)
        for spec in self.models:
            if not osp.isfile(spec.checkpoint):
                raise FileNotFoundError(f'--model {spec.name}: checkpoint '
                                        f'not found: {spec.checkpoint}')
            read_config(spec.name, spec.config)  # a missing one is named

    def run(self) -> dict:
        """Measures everything; writes the tables and plots; returns the
        results (``robustness.json``'s content)."""
        with tempfile.TemporaryDirectory() as tmp:
            sets = self.keep_sets or osp.join(tmp, 'sets')
            logs = osp.join(tmp, 'logs')
            quality = self.quality(sets, logs)
        results = dict(
            data_root=self.data_root,
            ref_level=self.ref_level,
            images=len(self.stems),
            models={m.name: dict(config=m.config, checkpoint=m.checkpoint,
                                 plain_matching=m.plain_matching)
                    for m in self.models},
            bicubic=bicubic_scores(self.data_root, self.stems),
            transforms=[t._asdict() for t in self.transforms],
            quality=quality,
            matching=self.matching())
        self.write(results)
        return results

    def model_cfg(self, spec: ModelSpec, folder: str, logs: str):
        cfg = model_config([spec.name, spec.config, spec.checkpoint,
                            *spec.overrides], folder, 1, logs)
        cfg.log_level = 'WARNING'
        return cfg

    def quality(self, sets: str, logs: str) -> Dict[str, Dict[str, dict]]:
        """model name -> transformation name -> {'PSNR', 'SSIM'}."""
        out = {m.name: {} for m in self.models}
        plain = None
        bar = tqdm(total=len(self.models) * len(self.transforms),
                   desc='models x references')
        identity = None
        for transform in self.transforms:
            key = 'identity' if transform.is_identity else transform.name
            folder = write_transformed_set(self.data_root, self.stems,
                                           self.ref_level, transform,
                                           osp.join(sets, key))
            for spec in self.models:
                if transform.is_identity and identity and spec.name in \
                        identity:
                    out[spec.name][transform.name] = identity[spec.name]
                    bar.update()
                    continue
                hooks = []
                if spec.plain_matching:
                    plain = plain or plain_extractor(self.plain_vgg)
                    hooks.append(PlainMatchingHook(plain))
                out[spec.name][transform.name] = test_metrics(
                    self.model_cfg(spec, folder, logs), hooks)
                bar.update()
            if transform.is_identity:
                identity = {m.name: out[m.name][transform.name]
                            for m in self.models}
        bar.close()
        return out

    def matching(self) -> Dict[str, Dict[str, dict]]:
        """Features name -> transformation name -> accuracy: each
        C²-Matching model's correspondence network and plain VGG."""
        gts = [read_rgb(osp.join(self.data_root, GT.format(s)))
               for s in self.stems]
        extractors = {}
        for spec in self.models:
            cfg = read_config(spec.name, spec.config)
            if cfg.model.get('type') != 'C2Matching' or spec.plain_matching:
                continue
            extractor = ContrasExtractor()
            load_weights(extractor, spec.checkpoint, prefix='extractor.',
                         what='checkpoint')
            extractors[f'{spec.name} (its correspondence network)'] = (
                extractor.eval(), cfg.model.get('test_cfg', {}).get(
                    'matching', 'auto'))
        if not extractors:
            return {}
        extractors['plain VGG features'] = (plain_extractor(self.plain_vgg),
                                            'auto')
        from ..models.editors.c2matching import CorrespondenceGenerator
        correspondence = CorrespondenceGenerator()
        out = {}
        for name, (extractor, matching) in tqdm(
                extractors.items(), desc='matching accuracy'):
            out[name] = {
                t.name: matching_accuracy(extractor, correspondence,
                                          matching, gts, t)
                for t in self.transforms
            }
        return out

    def write(self, results: dict) -> None:
        """robustness.json, .md, .csv, rotation.png, scale.png."""
        rows = table_rows(results)
        write_text(json.dumps(results, indent=2),
                   osp.join(self.out_dir, 'robustness.json'))
        write_text(
            to_markdown(rows, f'Robustness on {self.data_root} '
                        f'({results["images"]} images, reference level '
                        f'{self.ref_level}; Y channel, 4-pixel border)',
                        first_column='reference'),
            osp.join(self.out_dir, 'robustness.md'))
        write_csv(rows, osp.join(self.out_dir, 'robustness.csv'))
        for kind in ('rotation', 'scale'):
            if any(t['kind'] == kind for t in results['transforms']):
                plot(results, kind, osp.join(self.out_dir, f'{kind}.png'))


def table_rows(results: dict) -> Dict[str, dict]:
    """One row per transformation: each model's PSNR/SSIM, bicubic's, and
    the matching accuracies."""
    rows = {}
    for t in results['transforms']:
        name = ReferenceTransform(**t).name
        row = {}
        for model, by_t in results['quality'].items():
            row[f'{model} PSNR'] = by_t[name]['PSNR']
            row[f'{model} SSIM'] = by_t[name]['SSIM']
        row['bicubic PSNR'] = results['bicubic']['PSNR']
        row['bicubic SSIM'] = results['bicubic']['SSIM']
        for features, by_t in results['matching'].items():
            row[f'{features} acc@1'] = by_t[name]['acc@1']
            row[f'{features} acc@3'] = by_t[name]['acc@3']
        rows[name] = row
    return rows


def write_csv(rows: Dict[str, dict], path: str) -> None:
    columns = list(next(iter(rows.values())))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(['reference'] + columns)
    for name, row in rows.items():
        writer.writerow([name] + [f'{row[c]:.6g}' for c in columns])
    write_text(buffer.getvalue(), path)


def plot(results: dict, kind: str, path: str) -> None:
    """PSNR against the transformation (one line per model, bicubic
    dashed) and, below, the matching accuracy; written atomically."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    ts = [ReferenceTransform(**t) for t in results['transforms']
          if t['kind'] == kind]
    xs = [t.amount for t in ts]
    panels = 2 if results['matching'] else 1
    fig, axes = plt.subplots(panels, 1, figsize=(6.4, 3.2 * panels + 0.4),
                             sharex=True, squeeze=False)
    ax = axes[0, 0]
    for model, by_t in results['quality'].items():
        ax.plot(xs, [by_t[t.name]['PSNR'] for t in ts], marker='o',
                label=model)
    ax.axhline(results['bicubic']['PSNR'], color='grey', linestyle='--',
               label='bicubic')
    ax.set_ylabel('Y-PSNR (dB)')
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    title = 'rotation of the reference' if kind == 'rotation' else \
        'scale of the reference'
    ax.set_title(f'Robustness to the {title} ({results["images"]} images)')
    if panels == 2:
        ax = axes[1, 0]
        for features, by_t in results['matching'].items():
            line, = ax.plot(xs, [by_t[t.name]['acc@1'] for t in ts],
                            marker='o', label=f'{features}, acc@1')
            ax.plot(xs, [by_t[t.name]['acc@3'] for t in ts], marker='.',
                    linestyle=':', color=line.get_color(),
                    label=f'{features}, acc@3')
        ax.set_ylabel('matching accuracy')
        ax.set_ylim(0, 1)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel('angle (degrees, counter-clockwise)'
                           if kind == 'rotation' else 'scale factor')
    if kind == 'scale':
        axes[-1, 0].set_xscale('log', base=2)
        axes[-1, 0].set_xticks(xs)
        axes[-1, 0].set_xticklabels([f'{x:g}' for x in xs])
    fig.tight_layout()
    atomic_write(path, lambda f: fig.savefig(f, format='png', dpi=110))
    plt.close(fig)

