# C²-Matching on WR-SR with its published reference protocol.
_base_ = ['../c2matching_cufed.py', '../_base_/datasets/refsr_benchmarks.py']
test_dataloader = {{_base_.wrsr}}
test_evaluator = {{_base_.wrsr_metrics}}
