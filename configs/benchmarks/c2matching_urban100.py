# C²-Matching on Urban100 with the release's test protocol and pair list.
_base_ = '../_base_/c2matching_test.py'
experiment_name = 'c2matching_urban100'
work_dir = f'./work_dirs/{experiment_name}'
test_dataloader = {{_base_.urban100}}
test_evaluator = {{_base_.urban100_metrics}}
