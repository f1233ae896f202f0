# CUFED training (input/ + ref/) and CUFED5 testing, PIL-bicubic degradations
# on uint8 (spec §1, §5.4). Override data_root with
# --cfg-options train_dataloader.dataset.data_root=...
scale = 4
data_root = 'data'
cufed5_ref_level = 1  # 1 (most similar) .. 5

load_pair = [
    dict(
        type='LoadImageFromFile',
        key='gt',
        color_type='color',
        channel_order='rgb',
        imdecode_backend='pillow'),
    dict(
        type='LoadImageFromFile',
        key='ref',
        color_type='color',
        channel_order='rgb',
        imdecode_backend='pillow'),
    dict(type='SetValues', dictionary=dict(scale=scale)),
]
# img: LR input; img_lq: LR bicubic-upsampled back (used only for matching)
degrade = [
    dict(
        type='Resize',
        scale=1 / scale,
        keep_ratio=True,
        keys=['gt'],
        output_keys=['img'],
        interpolation='bicubic',
        backend='pillow'),
    dict(
        type='Resize',
        scale=float(scale),
        keep_ratio=True,
        keys=['img'],
        output_keys=['img_lq'],
        interpolation='bicubic',
        backend='pillow'),
]
train_pipeline = load_pair + [
    dict(type='ModCrop', key='gt'),
    dict(
        type='Resize',
        scale=(160, 160),
        keep_ratio=False,
        keys=['ref'],
        interpolation='bicubic',
        backend='pillow'),
    # one draw per pair, applied to input and reference alike
    dict(type='Flip', keys=['gt', 'ref'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='Flip', keys=['gt', 'ref'], flip_ratio=0.5,
         direction='vertical'),
    dict(type='RandomTransposeHW', keys=['gt', 'ref'], transpose_ratio=0.5),
] + degrade + [dict(type='PackInputs')]

test_pipeline = load_pair + [
    dict(type='ModCrop', key='gt'),
    dict(type='ModCrop', key='ref'),
] + degrade + [dict(type='PackInputs', meta_keys=['ref_path'])]

train_dataloader = dict(
    num_workers=4,
    batch_size=9,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='RefSRDataset',
        check='exists',
        metainfo=dict(dataset_type='cufed', task_name='refsr'),
        data_root=data_root + '/CUFED',
        data_prefix=dict(gt='input', ref='ref'),
        pipeline=train_pipeline))

cufed5_dataset = dict(
    type='RefSRDataset',
    metainfo=dict(dataset_type='cufed5', task_name='refsr'),
    data_root=data_root + '/CUFED5',
    data_prefix=dict(gt='', ref=''),
    filename_tmpl=dict(gt='{}_0', ref='{}_' + str(cufed5_ref_level)),
    pipeline=test_pipeline)

val_dataloader = dict(
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=cufed5_dataset)
test_dataloader = val_dataloader

val_evaluator = dict(
    type='Evaluator',
    metrics=[
        dict(type='PSNR', crop_border=scale, convert_to='Y', prefix='CUFED5'),
        dict(type='SSIM', crop_border=scale, convert_to='Y', prefix='CUFED5'),
    ])
test_evaluator = val_evaluator
custom_hooks = [
    dict(type='ResultsTableHook'),
    dict(type='RefSRVisualizationHook')
]

# One LR image + one HR reference, for mmagic's ImageSuperResolutionInferencer
# (`img` and `ref`).
demo_pipeline = [
    dict(
        type='LoadImageFromFile',
        key='img',
        color_type='color',
        channel_order='rgb',
        imdecode_backend='pillow'),
    dict(
        type='LoadImageFromFile',
        key='ref',
        color_type='color',
        channel_order='rgb',
        imdecode_backend='pillow'),
    dict(type='SetValues', dictionary=dict(scale=scale)),
    dict(type='ModCrop', key='ref'),
    dict(
        type='Resize',
        scale=float(scale),
        keep_ratio=True,
        keys=['img'],
        output_keys=['img_lq'],
        interpolation='bicubic',
        backend='pillow'),
    dict(type='PackInputs'),
]
