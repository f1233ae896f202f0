# C²-Matching on the five Ref-SR test sets (CUFED5 level 1, Sun80, Urban100,
# Manga109, WR-SR) in one test, one results-table row each.
_base_ = ['../c2matching_cufed.py', '../_base_/datasets/refsr_benchmarks.py']
test_dataloader = {{_base_.all_benchmarks}}
test_evaluator = {{_base_.all_benchmark_metrics}}
