# C²-Matching on Manga109 with the release's test protocol and pair list.
_base_ = '../_base_/c2matching_test.py'
experiment_name = 'c2matching_manga109'
work_dir = f'./work_dirs/{experiment_name}'
test_dataloader = {{_base_.manga109}}
test_evaluator = {{_base_.manga109_metrics}}
