# Every pipeline of the plugin, built from the same steps (docs/method.md §1): images
# decoded as the release decodes them (OpenCV, then RGB), PIL-bicubic
# degradations on uint8. The data set configs take them by name.
scale = 4


def load(key):
    """Reads `<key>_path` into `key`, RGB uint8."""
    return dict(
        type='LoadImageFromFile',
        key=key,
        color_type='color',
        channel_order='rgb',
        imdecode_backend='cv2')


def bicubic(src, dst, factor):
    """PIL bicubic resize of `src` by `factor` into `dst`."""
    return dict(
        type='Resize',
        scale=float(factor),
        keep_ratio=True,
        keys=[src],
        output_keys=[dst],
        interpolation='bicubic',
        backend='pillow')


def degrade(src='gt'):
    """img: the LR input; img_lq: img upsampled back (only for matching).
    `img` is declared RGB, as loaded images are, so that mmagic's
    pre-processor returns predictions in the BGR order of `gt_img`."""
    return [
        bicubic(src, 'img', 1 / scale),
        bicubic('img', 'img_lq', scale),
        dict(type='SetValues', dictionary=dict(img_channel_order='rgb')),
    ]


def flips(keys):
    """One random flip/transpose draw applied to all `keys` alike."""
    return [
        dict(type='Flip', keys=keys, flip_ratio=0.5, direction='horizontal'),
        dict(type='Flip', keys=keys, flip_ratio=0.5, direction='vertical'),
        dict(type='RandomTransposeHW', keys=keys, transpose_ratio=0.5),
    ]


def resize_to(keys, size):
    """PIL bicubic resize of `keys` to size x size."""
    return dict(
        type='Resize',
        scale=(size, size),
        keep_ratio=False,
        keys=keys,
        interpolation='bicubic',
        backend='pillow')


def restoration_train(size, crop=False):
    """Stage 3: the input mod-cropped and its reference resized to size x
    size (CUFED inputs are that size already); with `crop`, a random
    size x size window at the same place of both first."""
    pipeline = [
        load('gt'),
        load('ref'),
        dict(type='SetValues', dictionary=dict(scale=scale)),
    ]
    if crop:
        pipeline.append(
            dict(type='FixedCrop', keys=['gt', 'ref'], crop_size=(size, size)))
    return pipeline + [
        dict(type='ModCrop', key='gt'),
        resize_to(['ref'], size),
    ] + flips(['gt', 'ref']) + degrade() + [dict(type='PackInputs')]


def restoration_test(pad_like_release=True, self_reference=False):
    """Input and reference mod-cropped; with `pad_like_release` both are
    zero-padded to their common size before the LR image is made (the
    release's test, docs/method.md §1) and the model crops its output back. With
    `self_reference` the reference is the bicubic-upsampled LR input
    (Urban100)."""
    pipeline = [
        load('gt'),
        dict(type='SetValues', dictionary=dict(scale=scale)),
        dict(type='ModCrop', key='gt'),
    ]
    if self_reference:
        return pipeline + degrade() + [
            dict(type='CopyValues', src_keys=['img_lq'], dst_keys=['ref']),
            dict(type='PackInputs'),
        ]
    pipeline += [load('ref'), dict(type='ModCrop', key='ref')]
    if not pad_like_release:
        return pipeline + degrade() + [
            dict(type='PackInputs', meta_keys=['ref_path'])
        ]
    return pipeline + [
        dict(
            type='PadToCommonSize',
            keys=['gt', 'ref'],
            output_keys=['gt_padded', 'ref']),
    ] + degrade('gt_padded') + [
        dict(type='PackInputs', meta_keys=['ref_path', 'unpadded_size'])
    ]


def several_references_test():
    """The input mod-cropped; one or several references (a list of paths)
    mod-cropped and stacked (StackReferences), each at its own size; no
    padding of the input (the release tests one reference only)."""
    return [
        load('gt'),
        dict(type='SetValues', dictionary=dict(scale=scale)),
        dict(type='ModCrop', key='gt'),
        load('ref'),
        dict(type='StackReferences', key='ref', scale=scale),
    ] + degrade() + [
        dict(type='PackInputs', meta_keys=['ref_path', 'ref_sizes'])
    ]


def contrastive(flip, seed=None, size=160):
    """Stages 1 and 2: the input resized to size x size, (flipped,) and its
    reference made by the release's random homography."""
    return [load('gt'), resize_to(['gt'], size)] + (
        flips(['gt']) if flip else []) + [
            dict(
                type='RandomHomographyRef',
                key='gt',
                ref_key='ref',
                window=size,
                lq_keys=('img', 'img_lq'),
                seed=seed),
            dict(
                type='PackInputs',
                keys=['img'],
                data_keys=['correspondence'],
                meta_keys=['homography']),
        ]


train_pipeline = restoration_train(160)
test_pipeline = restoration_test()
self_reference_test_pipeline = restoration_test(self_reference=True)
several_references_test_pipeline = several_references_test()
contras_train_pipeline = contrastive(flip=True)
contras_val_pipeline = contrastive(flip=False, seed=0)

# One LR image + one or several HR references (a list of paths), any sizes,
# for mmagic's ImageSuperResolutionInferencer (`img` and `ref`) and
# tools/inference.py.
demo_pipeline = [
    load('img'),
    load('ref'),
    dict(type='SetValues', dictionary=dict(scale=scale)),
    dict(type='StackReferences', key='ref', scale=scale),
    bicubic('img', 'img_lq', scale),
    dict(type='PackInputs', meta_keys=['ref_sizes']),
]

# The embedded demo (tools/make_demo_data.py) trains on CPU-sized windows of
# its 160x160 pairs: stages 1 and 2 on homographies of a smaller window,
# stage 3 on random crops.
demo_contras_size = 96
demo_contras_train_pipeline = contrastive(flip=True, size=demo_contras_size)
demo_crop_size = 96
demo_train_pipeline = restoration_train(demo_crop_size, crop=True)
