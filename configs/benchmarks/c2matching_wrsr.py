# C²-Matching on WR-SR with the release's test protocol and pair list.
_base_ = '../_base_/c2matching_test.py'
experiment_name = 'c2matching_wrsr'
work_dir = f'./work_dirs/{experiment_name}'
test_dataloader = {{_base_.wrsr}}
test_evaluator = {{_base_.wrsr_metrics}}
