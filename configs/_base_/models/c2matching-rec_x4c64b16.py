# C²-Matching restoration model, "-rec" variant (L1 only), spec §5.
# torchvision ImageNet state dicts (nothing is downloaded); see README.
vgg16_weights = 'checkpoints/vgg16-397923af.pth'
vgg19_weights = 'checkpoints/vgg19-dcbb9e9d.pth'
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
        checkpoint=student_checkpoint,
        checkpoint_prefix='student.'),
    ref_extractor=dict(
        type='RefVGGExtractor',
        layers=('relu1_1', 'relu2_1', 'relu3_1'),
        pretrained=vgg19_weights),
    correspondence=dict(type='CorrespondenceGenerator', chunk_elements=2**26),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor=dict(
        type='DataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.]))
