# C²-Matching on the five Ref-SR test sets (CUFED5 level 1, Sun80, Urban100,
# Manga109, WR-SR) in one test, one results row each: the paper's table.
_base_ = '../_base_/c2matching_test.py'
experiment_name = 'c2matching_all-benchmarks'
work_dir = f'./work_dirs/{experiment_name}'
test_dataloader = {{_base_.all_benchmarks}}
test_evaluator = {{_base_.all_benchmark_metrics}}
