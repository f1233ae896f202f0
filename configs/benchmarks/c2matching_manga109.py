# C²-Matching on Manga109 with its published reference protocol.
_base_ = ['../c2matching_cufed.py', '../_base_/datasets/refsr_benchmarks.py']
test_dataloader = {{_base_.manga109}}
test_evaluator = {{_base_.manga109_metrics}}
