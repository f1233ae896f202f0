"""Create the embedded demo dataset (CUFED + CUFED5 layouts) from photos
bundled with scikit-image. Existing files are kept.

Example:
    python tools/make_demo_data.py --out data/demo
"""
from c2m_mmagic.apis import parser_from_doc
from c2m_mmagic.datasets import make_demo_dataset

if __name__ == '__main__':
    parser = parser_from_doc(__doc__)
    parser.add_argument('--out', default='data/demo', help='output folder')
    args = parser.parse_args()
    folders = make_demo_dataset(args.out)
    print(f"demo data: {folders['cufed']} (training), "
          f"{folders['cufed5']} (test)")
