"""Create the embedded demo dataset (CUFED + CUFED5 layouts) from photos
bundled with scikit-image. Existing files are kept.

Example:
    python tools/make_demo_data.py --out data/demo
"""
import argparse

import cli_helpers  # noqa: F401  (the package, when it is not installed)

from c2m_mmagic.datasets.demo_data import make_demo_dataset

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/demo', help='output folder')
    args = parser.parse_args()
    folders = make_demo_dataset(args.out)
    print(f"demo data: {folders['cufed']} (training), "
          f"{folders['cufed5']} (test)")
