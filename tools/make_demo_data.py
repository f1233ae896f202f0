"""Create the embedded demo dataset (CUFED + CUFED5 layouts) from photos
bundled with scikit-image. Existing files are kept.

Example:
    python tools/make_demo_data.py --out data/demo
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from c2m_mmagic.datasets.demo_data import make_demo_dataset  # noqa: E402

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/demo', help='output folder')
    args = parser.parse_args()
    folders = make_demo_dataset(args.out)
    print(f"demo data: {folders['cufed']} (training), "
          f"{folders['cufed5']} (test)")
