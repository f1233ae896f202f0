# Test sets of the Ref-SR literature with the release's test protocol
# (docs/method.md §1, §6): pairs read from the pair lists (`<input> <reference>` per
# line, ann_file; see README for where each comes from), unequal pairs
# zero-padded to their common size before the LR image is made. Layouts,
# under data/ (lists beside the folders, e.g. data/CUFED5_pairs.txt):
#   CUFED5/NNN_0.png (input), NNN_1..5.png (references, most similar first)
#   WR-SR/input/NNN.png, WR-SR/ref/NNN_ref.png
#   Sun80/input/NNN.jpg, Sun80/ref/NNN_1.jpg
#   Urban100/input/NNN.png (the bicubic-upsampled LR input is the reference)
#   Manga109/input/NNN.png, Manga109/ref/NNN_1.png
# The *-all-refs sets give each input every reference at once (several
# references per input, no padding). Without a list (ann_file=''),
# RefSRDataset pairs by its folder protocols:
# Sun80 the first image of ref/<input name>/, Manga109 the next page of the
# set, WR-SR and CUFED5 by file name, Urban100 itself.
_base_ = './refsr_pipelines.py'
benchmark_root = 'data'


def refsr_loader(name, folder, pipeline, **dataset):
    """A batch-1 test dataloader over benchmark_root/folder."""
    return dict(
        num_workers=2,
        persistent_workers=False,
        drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='RefSRDataset',
            metainfo=dict(dataset_type=name, task_name='refsr'),
            data_root=f'{benchmark_root}/{folder}',
            pipeline=pipeline,
            **dataset))


def y_metrics(name):
    """PSNR/SSIM on the Y channel, 4-pixel border cropped, named by set."""
    return dict(
        type='Evaluator',
        metrics=[
            dict(type='PSNR', crop_border=4, convert_to='Y', prefix=name),
            dict(type='SSIM', crop_border=4, convert_to='Y', prefix=name),
        ])


def pair_list(name):
    """`<benchmark_root>/<name>_pairs.txt`, relative to data_root."""
    return f'../{name}_pairs.txt'


cufed5 = refsr_loader(
    'CUFED5',
    'CUFED5',
    {{_base_.test_pipeline}},
    ann_file=pair_list('CUFED5'),
    data_prefix=dict(gt='', ref=''),
    filename_tmpl=dict(gt='{}_0', ref='{}_1'))
# the five similarity levels (no list: the level-1 list names level 1 only)
cufed5_levels = [
    refsr_loader(
        f'CUFED5-L{level}',
        'CUFED5',
        {{_base_.test_pipeline}},
        data_prefix=dict(gt='', ref=''),
        filename_tmpl=dict(gt='{}_0', ref='{}_' + str(level)))
    for level in range(1, 6)
]
cufed5_level_metrics = [y_metrics(f'CUFED5-L{level}') for level in range(1, 6)]

wrsr = refsr_loader(
    'WR-SR',
    'WR-SR',
    {{_base_.test_pipeline}},
    ann_file=pair_list('WR-SR'),
    data_prefix=dict(gt='input', ref='ref'),
    filename_tmpl=dict(ref='{}_ref'))
sun80 = refsr_loader(
    'Sun80',
    'Sun80',
    {{_base_.test_pipeline}},
    ann_file=pair_list('SUN80'),
    data_prefix=dict(gt='input', ref='ref'),
    ref_protocol='first_in_folder')
urban100 = refsr_loader(
    'Urban100',
    'Urban100',
    {{_base_.self_reference_test_pipeline}},
    ann_file=pair_list('Urban100'),
    data_prefix=dict(gt='input'),
    ref_protocol='self')
manga109 = refsr_loader(
    'Manga109',
    'Manga109',
    {{_base_.test_pipeline}},
    ann_file=pair_list('Manga109'),
    data_prefix=dict(gt='input', ref='ref'),
    ref_protocol='next_in_set')

# several references per input at once (the multi-reference option): all
# five levels of CUFED5, all numbered references of Sun80 (ref/NNN_<n>.jpg)
cufed5_all_refs = refsr_loader(
    'CUFED5-all-refs',
    'CUFED5',
    {{_base_.several_references_test_pipeline}},
    data_prefix=dict(gt='', ref=''),
    filename_tmpl=dict(gt='{}_0'),
    ref_protocol='all_numbered')
sun80_all_refs = refsr_loader(
    'Sun80-all-refs',
    'Sun80',
    {{_base_.several_references_test_pipeline}},
    data_prefix=dict(gt='input', ref='ref'),
    ref_protocol='all_numbered')

# the paper's table: CUFED5 (level 1), Sun80, Urban100, Manga109, WR-SR
all_benchmarks = [cufed5, sun80, urban100, manga109, wrsr]
all_benchmark_metrics = [
    y_metrics(name)
    for name in ('CUFED5', 'Sun80', 'Urban100', 'Manga109', 'WR-SR')
]
cufed5_metrics = y_metrics('CUFED5')
# one reference (the release's protocol) beside all of them
cufed5_single_and_all = [cufed5, cufed5_all_refs]
cufed5_single_and_all_metrics = [y_metrics('CUFED5'), y_metrics('CUFED5-all-refs')]
sun80_single_and_all = [sun80, sun80_all_refs]
sun80_single_and_all_metrics = [y_metrics('Sun80'), y_metrics('Sun80-all-refs')]
wrsr_metrics = y_metrics('WR-SR')
sun80_metrics = y_metrics('Sun80')
urban100_metrics = y_metrics('Urban100')
manga109_metrics = y_metrics('Manga109')
