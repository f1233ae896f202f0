from .demo_data import make_demo_dataset

__all__ = ['make_demo_dataset']
