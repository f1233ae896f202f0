# Test sets of the Ref-SR literature with their published reference
# protocols (spec §6). Layouts (under data_root, see README):
#   CUFED5/NNN_0.png (input), NNN_1..5.png (references, most similar first)
#   WR-SR/input/NNN.png, WR-SR/ref/NNN_ref.png
#   Sun80/input/NAME.png, Sun80/ref/NAME/*.png (the first, sorted, is used)
#   Urban100/NAME.png (the bicubic-upsampled LR input is its own reference)
#   Manga109/NAME.png (reference: the next image of the sorted set)
benchmark_root = 'data'


def refsr_test_pipeline(self_reference: bool = False):
    """Load, mod-crop, degrade with PIL bicubic, (copy the reference,) pack."""
    pipeline = [
        dict(
            type='LoadImageFromFile',
            key='gt',
            color_type='color',
            channel_order='rgb',
            imdecode_backend='pillow'),
        dict(type='SetValues', dictionary=dict(scale=4)),
        dict(type='ModCrop', key='gt'),
    ]
    if not self_reference:
        pipeline += [
            dict(
                type='LoadImageFromFile',
                key='ref',
                color_type='color',
                channel_order='rgb',
                imdecode_backend='pillow'),
            dict(type='ModCrop', key='ref'),
        ]
    pipeline += [
        dict(type='Resize', scale=1 / 4, keep_ratio=True, keys=['gt'],
             output_keys=['img'], interpolation='bicubic', backend='pillow'),
        dict(type='Resize', scale=4., keep_ratio=True, keys=['img'],
             output_keys=['img_lq'], interpolation='bicubic',
             backend='pillow'),
    ]
    if self_reference:
        pipeline.append(
            dict(type='CopyValues', src_keys=['img_lq'], dst_keys=['ref']))
    pipeline.append(
        dict(
            type='PackInputs',
            meta_keys=[] if self_reference else ['ref_path']))
    return pipeline


def refsr_loader(folder: str, name: str, **dataset):
    """A batch-1 test dataloader over data_root/folder."""
    dataset.setdefault('pipeline', refsr_test_pipeline())
    return dict(
        num_workers=2,
        persistent_workers=False,
        drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='RefSRDataset',
            metainfo=dict(dataset_type=name, task_name='refsr'),
            data_root=f'{benchmark_root}/{folder}',
            **dataset))


def y_metrics(name: str):
    """PSNR/SSIM on the Y channel, 4-pixel border cropped, named by set."""
    return dict(
        type='Evaluator',
        metrics=[
            dict(type='PSNR', crop_border=4, convert_to='Y', prefix=name),
            dict(type='SSIM', crop_border=4, convert_to='Y', prefix=name),
        ])


cufed5_levels = [
    refsr_loader(
        'CUFED5',
        f'CUFED5-L{level}',
        data_prefix=dict(gt='', ref=''),
        filename_tmpl=dict(gt='{}_0', ref='{}_' + str(level)))
    for level in range(1, 6)
]
cufed5_level_metrics = [y_metrics(f'CUFED5-L{level}') for level in range(1, 6)]

wrsr = refsr_loader(
    'WR-SR',
    'WR-SR',
    data_prefix=dict(gt='input', ref='ref'),
    filename_tmpl=dict(ref='{}_ref'))
sun80 = refsr_loader(
    'Sun80',
    'Sun80',
    data_prefix=dict(gt='input', ref='ref'),
    ref_protocol='first_in_folder')
urban100 = refsr_loader(
    'Urban100',
    'Urban100',
    data_prefix=dict(gt=''),
    ref_protocol='self',
    pipeline=refsr_test_pipeline(self_reference=True))
manga109 = refsr_loader(
    'Manga109', 'Manga109', data_prefix=dict(gt=''),
    ref_protocol='next_in_set')

# the paper's table: CUFED5 (level 1), Sun80, Urban100, Manga109, WR-SR
all_benchmarks = [cufed5_levels[0], sun80, urban100, manga109, wrsr]
all_benchmark_metrics = [
    y_metrics(name)
    for name in ('CUFED5-L1', 'Sun80', 'Urban100', 'Manga109', 'WR-SR')
]
wrsr_metrics = y_metrics('WR-SR')
sun80_metrics = y_metrics('Sun80')
urban100_metrics = y_metrics('Urban100')
manga109_metrics = y_metrics('Manga109')
