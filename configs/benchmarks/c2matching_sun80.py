# C²-Matching on Sun80 with the release's test protocol and pair list.
_base_ = '../_base_/c2matching_test.py'
experiment_name = 'c2matching_sun80'
work_dir = f'./work_dirs/{experiment_name}'
test_dataloader = {{_base_.sun80}}
test_evaluator = {{_base_.sun80_metrics}}
