# Stages 1 and 2: CUFED training inputs only, resized to 160x160, flipped and
# transposed, then a random homography makes the reference (spec §3).
# Validation: CUFED5 inputs with fixed (seeded) homographies.
data_root = 'data'
contras_size = 160


def contras_pipeline(flips: bool, seed=None):
    """Load, resize, (flip,) warp, pack."""
    pipeline = [
        dict(
            type='LoadImageFromFile',
            key='gt',
            color_type='color',
            channel_order='rgb',
            imdecode_backend='pillow'),
        dict(
            type='Resize',
            scale=(contras_size, contras_size),
            keep_ratio=False,
            keys=['gt'],
            interpolation='bicubic',
            backend='pillow'),
    ]
    if flips:
        pipeline += [
            dict(type='Flip', keys=['gt'], flip_ratio=0.5,
                 direction='horizontal'),
            dict(type='Flip', keys=['gt'], flip_ratio=0.5,
                 direction='vertical'),
            dict(type='RandomTransposeHW', keys=['gt'], transpose_ratio=0.5),
        ]
    pipeline += [
        dict(
            type='RandomHomographyRef',
            key='gt',
            ref_key='ref',
            window=contras_size,
            lq_keys=('img', 'img_lq'),
            seed=seed),
        dict(
            type='PackInputs',
            keys=['img'],
            data_keys=['correspondence'],
            meta_keys=['homography']),
    ]
    return pipeline


train_dataloader = dict(
    num_workers=4,
    batch_size=8,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='cufed', task_name='refsr'),
        data_root=data_root + '/CUFED',
        data_prefix=dict(gt='input'),
        pipeline=contras_pipeline(flips=True)))

val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='cufed5', task_name='refsr'),
        data_root=data_root + '/CUFED5',
        data_prefix=dict(gt=''),
        filename_tmpl=dict(gt='{}_0'),
        pipeline=contras_pipeline(flips=False, seed=0)))
val_evaluator = dict(type='Evaluator', metrics=[dict(type='MatchingAccuracy')])
val_cfg = dict(type='MultiValLoop')
