# C²-Matching restoration model, "-rec" variant (L1 only), docs/method.md §5.
# ImageNet VGG weights come from torch's hub cache (torchvision://, never
# downloaded) or a local file (--cfg-options vgg19_weights=...).
vgg16_weights = 'torchvision://vgg16'
vgg19_weights = 'torchvision://vgg19'
# Stage-2 checkpoint; its `student.` weights do the matching in stage 3.
student_checkpoint = 'work_dirs/c2matching-student_1xb8-75k_cufed/iter_75000.pth'

model = dict(
    type='C2Matching',
    generator=dict(
        type='C2MatchingNet',
        in_channels=3,
        out_channels=3,
        mid_channels=64,
        num_blocks=16,
        deform_groups=8),
    extractor=dict(
        type='ContrasExtractor',
        requires_grad=False,
        init_cfg=dict(
            type='Pretrained',
            checkpoint=student_checkpoint,
            prefix='student.')),
    ref_extractor=dict(
        type='RefVGGExtractor',
        pretrained=vgg19_weights),
    correspondence=dict(type='CorrespondenceGenerator', chunk_elements=2**26),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor=dict(
        type='DataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.]))
