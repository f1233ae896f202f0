"""tools/train.py, tools/test.py and tools/compare.py end to end (CPU)."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from PIL import Image

from c2m_mmagic.utils import weights_only_globals
from helpers import REPO, converted_random_release, run_tool, y_metrics64

DEMO = osp.join(REPO, 'configs', 'c2matching', 'c2matching-rec_demo.py')


def load_checkpoint(path):
    """A training checkpoint, read weights-only as the tools read it."""
    with weights_only_globals():
        return torch.load(path, weights_only=True)


def test_demo_dataset_layouts(demo_root):
    inputs = sorted(os.listdir(osp.join(demo_root, 'CUFED', 'input')))
    refs = sorted(os.listdir(osp.join(demo_root, 'CUFED', 'ref')))
    assert inputs == refs and len(inputs) >= 20
    gt = np.asarray(Image.open(osp.join(demo_root, 'CUFED', 'input', inputs[0])))
    assert gt.shape == (160, 160, 3) and gt.dtype == np.uint8
    groups = os.listdir(osp.join(demo_root, 'CUFED5'))
    assert {'000_0.png', '000_1.png', '000_5.png'} <= set(groups)


def test_train_two_iterations_then_resume_then_test(demo_root, tmp_path):
    work = str(tmp_path / 'work')
    common = [
        '--work-dir', work, '--cfg-options',
        f'train_dataloader.dataset.data_root={demo_root}/CUFED',
        f'val_dataloader.dataset.data_root={demo_root}/CUFED5',
        'train_dataloader.batch_size=1', 'train_cfg.val_interval=100',
        'model.extractor.init_cfg=None',
        'default_hooks.checkpoint.interval=1'
    ]
    proc = run_tool('tools/train.py', DEMO, *common, 'train_cfg.max_iters=2')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.isfile(osp.join(work, 'iter_2.pth'))
    ckpt = load_checkpoint(osp.join(work, 'iter_2.pth'))
    assert int(ckpt['state_dict']['step_counter']) == 2

    proc = run_tool('tools/train.py', DEMO, *common, 'train_cfg.max_iters=3',
                    '--resume')
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'resumed' in log.lower()
    ckpt = load_checkpoint(osp.join(work, 'iter_3.pth'))
    assert ckpt['meta']['iter'] == 3
    assert int(ckpt['state_dict']['step_counter']) == 3

    sr_dir = osp.join(work, 'sr')
    proc = run_tool('tools/test.py', DEMO, osp.join(work, 'iter_3.pth'),
                    '--work-dir', work, '--save-sr', sr_dir, '--cfg-options',
                    *demo_test_options(demo_root))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'PSNR' in proc.stdout + proc.stderr
    import json
    with open(osp.join(work, 'results.json')) as f:
        table = json.load(f)['results']
    assert set(table) == set(DEMO_TESTS)
    assert 0 < table['true-ref']['SSIM'] <= 1
    assert [table[name]['references'] for name in DEMO_TESTS] == [1, 1, 5, 3]
    assert '| true-ref | 5 | 1 |' in open(osp.join(work,
                                                   'results.md')).read()
    # the saved outputs are what was scored: the per-image metrics equal
    # float64 Y-channel formulas on the saved PNG and the input image; the
    # demo's references are taller than the inputs, so these went through
    # the release's padding and were cropped back
    import csv
    rows = list(csv.DictReader(open(osp.join(work, 'results.csv'))))
    assert len(rows) == 20
    for row in rows:
        gt = np.asarray(Image.open(osp.join(demo_root, 'CUFED5',
                                            row['input'])))
        gt = gt[:gt.shape[0] // 4 * 4, :gt.shape[1] // 4 * 4]
        # two data sets in this test: one folder each
        sr = np.asarray(Image.open(osp.join(sr_dir, row['dataset'],
                                            row['input'])))
        assert sr.shape == gt.shape
        psnr, ssim = y_metrics64(sr, gt)
        assert float(row['PSNR']) == pytest.approx(psnr, abs=1e-5)
        assert float(row['SSIM']) == pytest.approx(ssim, abs=1e-4)


def test_compare_puts_c2matching_and_ttsr_in_one_table(demo_root, tmp_path):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmagic.registry import MODELS
    init_default_scope('mmagic')
    # C²-Matching: random weights in the released format, converted
    c2m = converted_random_release(str(tmp_path))
    # mmagic's TTSR with random weights (no VGG download)
    import mmagic
    ttsr_cfg = osp.join(osp.dirname(mmagic.__file__), '.mim', 'configs',
                        'ttsr', 'ttsr-rec_x4c64b16_1xb9-200k_CUFED.py')
    cfg = Config.fromfile(ttsr_cfg)
    cfg.model.extractor.load_pretrained_vgg = False
    ttsr = str(tmp_path / 'ttsr.pth')
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), ttsr)

    out_dir = str(tmp_path / 'compare')
    proc = run_tool(
        'tools/compare.py', '--data-root', osp.join(demo_root, 'CUFED5'),
        '--out-dir', out_dir, '--model', 'C2-Matching',
        osp.join(REPO, 'configs', 'c2matching_cufed.py'), c2m, '--model',
        'TTSR', 'mmagic::ttsr/ttsr-rec_x4c64b16_1xb9-200k_CUFED.py', ttsr,
        'model.extractor.load_pretrained_vgg=False')
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json
    with open(osp.join(out_dir, 'compare.json')) as f:
        results = json.load(f)['results']
    assert set(results) == {'C2-Matching', 'TTSR'}
    for row in results.values():
        assert 5 < row['PSNR'] < 60 and 0 < row['SSIM'] <= 1
    md = open(osp.join(out_dir, 'compare.md')).read()
    assert '| C2-Matching |' in md and '| TTSR |' in md


DEMO_TESTS = ('true-ref', 'unrelated-ref', 'all-5-refs',
              'true+2-unrelated-refs')


def demo_test_options(demo_root):
    """The demo test's loaders (true, unrelated, all five and true plus
    unrelated references) on the test's own demo data."""
    return [f'test_dataloader.{i}.dataset.data_root={demo_root}/CUFED5'
            for i in range(len(DEMO_TESTS))]


def test_demo_chain_in_reduced_form(demo_root, tmp_path):
    """tools/quickstart.py with two iterations per stage: data, stage 1 ->
    2 -> 3 (each from the previous stage's checkpoint), test, report, in one
    process, with each step's time and what is left."""
    proc = run_tool('tools/quickstart.py', '--max-iters', '2', '--work-dirs',
                    str(tmp_path), '--data', demo_root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'random initialisation' in log  # random-init VGG is stated
    # matching accuracy before and after training, in stages 1 and 2
    assert log.count('match/acc@1') >= 4
    assert 'iter_2.pth' in open(
        tmp_path / 'c2matching-rec_demo' / 'last_checkpoint').read()
    steps = [line for line in log.splitlines()
             if line.startswith('[quickstart] step') and ' took ' in line]
    assert len(steps) == 6 and 'left' in steps[0] and 'left' not in steps[-1]
    rec = str(tmp_path / 'c2matching-rec_demo')
    images = os.listdir(osp.join(rec, 'comparisons', 'true-ref'))
    assert len(images) == 5 and '000_0__000_1.png' in images
    assert '000_0__001_1.png' in os.listdir(
        osp.join(rec, 'comparisons', 'unrelated-ref'))
    assert len(os.listdir(osp.join(rec, 'sr', 'true-ref'))) == 5
    import json
    out = str(tmp_path / 'quickstart')
    summary = json.load(open(osp.join(out, 'summary.json')))
    assert set(summary['matching']) == {'stage 1 (teacher, HR input)',
                                        'stage 2 (student, LR input)'}
    assert set(summary['super_resolution']) == {
        'true reference', 'unrelated reference', 'all 5 references at once',
        'true + 2 unrelated at once'}
    assert set(summary['several_references']) == {
        'all 5 references at once', 'true + 2 unrelated at once'}
    panel = np.asarray(Image.open(osp.join(out, 'ablation.png')))
    assert panel.shape[0] > 120 and panel.shape[1] > 5 * 150  # 6 panels


@pytest.mark.one_stack  # a margin of tenths of a dB, far above stack noise
def test_demo_training_beats_its_bilinear_start(demo_root, tmp_path):
    """Regression guard of the quick start: a shortened stage-3 run of the
    demo config (random matching network, 200 of its 300 iterations) must
    already be clearly better than its starting point, the bilinear
    upsampling that its output adds to, and than bicubic, on the held-out
    demo images, and use the reference: the true reference must beat an
    unrelated one (on this machine: +0.47 dB over bicubic, 0.54 dB between
    the two references)."""
    import torch.nn.functional as F
    work = str(tmp_path)
    proc = run_tool(
        'tools/train.py', DEMO, '--work-dir', work, '--cfg-options',
        f'train_dataloader.dataset.data_root={demo_root}/CUFED',
        f'val_dataloader.dataset.data_root={demo_root}/CUFED5',
        'model.extractor.init_cfg=None', 'train_cfg.max_iters=200',
        'train_cfg.val_interval=1000', 'default_hooks.checkpoint.interval=200')
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = run_tool('tools/test.py', DEMO, osp.join(work, 'iter_200.pth'),
                    '--work-dir', work, '--cfg-options',
                    *demo_test_options(demo_root))
    assert proc.returncode == 0, proc.stderr[-3000:]
    import csv
    import json
    results = json.load(open(osp.join(work, 'results.json')))['results']
    true, unrelated = results['true-ref'], results['unrelated-ref']
    assert true['PSNR'] - true['bicubic PSNR'] > 0.25, true
    assert true['PSNR'] - unrelated['PSNR'] > 0.3, (true, unrelated)
    rows = [r for r in csv.DictReader(open(osp.join(work, 'results.csv')))
            if r['dataset'] == 'true-ref']
    gains = []
    for row in rows:
        gt = np.asarray(Image.open(osp.join(demo_root, 'CUFED5',
                                            row['input'])))
        h, w = gt.shape[:2]
        lr = np.asarray(Image.fromarray(gt).resize((w // 4, h // 4),
                                                   Image.BICUBIC))
        bilinear = F.interpolate(
            torch.from_numpy(lr).permute(2, 0, 1)[None].double(),
            scale_factor=4, mode='bilinear', align_corners=False)
        bilinear = bilinear[0].permute(1, 2, 0).clamp(0, 255).round()
        gains.append(float(row['PSNR']) -
                     y_metrics64(bilinear.byte().numpy(), gt)[0])
    assert np.mean(gains) > 0.5, gains


def test_enable_amp_switches_every_optimizer_wrapper():
    from mmengine.config import Config
    from c2m_mmagic.apis import enable_amp
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'c2matching_cufed.py'))
    enable_amp(cfg)
    for name in ('generator', 'discriminator'):
        assert cfg.optim_wrapper[name].type == 'AmpOptimWrapper'
        assert cfg.optim_wrapper[name].loss_scale == 'dynamic'
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'c2matching',
                 'c2matching-teacher_1xb8-5k_cufed.py'))
    enable_amp(cfg)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'


def test_gan_schedule_decays_the_discriminator_only(demo_root, tmp_path):
    """As released (docs/method.md §5.4): after a milestone the discriminator's lr is
    x0.1 and the generator's is untouched; the D step runs after warm-up."""
    work = str(tmp_path)
    proc = run_tool(
        'tools/train.py', osp.join(REPO, 'configs', 'c2matching_cufed.py'),
        '--work-dir', work, '--cfg-options',
        f'train_dataloader.dataset.data_root={demo_root}/CUFED',
        f'val_dataloader.dataset.data_root={demo_root}/CUFED5',
        'train_dataloader.num_workers=0', 'train_dataloader.batch_size=1',
        'model.generator.mid_channels=16', 'model.generator.num_blocks=1',
        'model.extractor.init_cfg=None', 'model.ref_extractor.pretrained=None',
        'model.perceptual_loss.pretrained=None', 'model.train_cfg.pixel_init=1',
        'train_cfg.max_iters=3', 'train_cfg.val_interval=100',
        'default_hooks.checkpoint.interval=3',
        'param_scheduler.discriminator.0.milestones=[2]')
    assert proc.returncode == 0, proc.stderr[-3000:]
    ckpt = load_checkpoint(osp.join(work, 'iter_3.pth'))
    lrs = {name: sorted({g['lr'] for g in state['param_groups']})
           for name, state in ckpt['optimizer'].items()}
    assert lrs['generator'] == pytest.approx([1e-6, 1e-5, 1e-4])
    assert lrs['discriminator'] == pytest.approx([1e-5])


def test_all_references_configs_run_beside_single_ones(demo_root, tmp_path):
    """The multi-reference benchmark configs on demo-style data: a row with
    one reference and a row with all of them, each saying how many."""
    ckpt = converted_random_release(str(tmp_path))
    cufed5 = f'{demo_root}/CUFED5'
    sun80 = tmp_path / 'Sun80'
    (sun80 / 'input').mkdir(parents=True)
    (sun80 / 'ref').mkdir()
    lines = []
    for i in range(2):
        os.symlink(f'{cufed5}/{i:03d}_0.png', sun80 / 'input' / f'{i:03d}.png')
        for k in range(1, 4):
            os.symlink(f'{cufed5}/{i:03d}_{k}.png',
                       sun80 / 'ref' / f'{i:03d}_{k}.png')
        lines.append(f'{i:03d}.png {i:03d}_1.png\n')
    (tmp_path / 'SUN80_pairs.txt').write_text(''.join(lines))
    import json
    for config, options, expected in (
            ('c2matching_cufed5-all-refs.py', [
                f'test_dataloader.0.dataset.data_root={cufed5}',
                "test_dataloader.0.dataset.ann_file=''",
                f'test_dataloader.1.dataset.data_root={cufed5}'
            ], {'CUFED5': (5, 1), 'CUFED5-all-refs': (5, 5)}),
            ('c2matching_sun80-all-refs.py', [
                f'test_dataloader.0.dataset.data_root={sun80}',
                f'test_dataloader.0.dataset.ann_file={tmp_path}/SUN80_pairs.txt',
                f'test_dataloader.1.dataset.data_root={sun80}'
            ], {'Sun80': (2, 1), 'Sun80-all-refs': (2, 3)})):
        work = str(tmp_path / config)
        proc = run_tool('tools/test.py',
                        osp.join(REPO, 'configs', 'benchmarks', config), ckpt,
                        '--work-dir', work, '--cfg-options', *options)
        assert proc.returncode == 0, proc.stderr[-3000:]
        table = json.load(open(osp.join(work, 'results.json')))['results']
        assert {name: (row['images'], row['references'])
                for name, row in table.items()} == expected
