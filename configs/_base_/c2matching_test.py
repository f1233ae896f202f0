# Testing C²-Matching on the Ref-SR benchmarks (configs/benchmarks/): the
# restoration model (the "-rec" and the GAN variant test alike; a checkpoint
# of either fits, with or without its discriminator), the release's test
# protocol, results tables beside bicubic and comparison images.
_base_ = [
    './default_runtime.py', './models/c2matching-rec_x4c64b16.py',
    './datasets/refsr_benchmarks.py'
]
test_cfg = dict(type='MultiTestLoop')
custom_hooks = [
    dict(type='ResultsTableHook'),
    dict(type='RefSRVisualizationHook')
]
