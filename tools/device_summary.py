"""summary.md of a tools/device_check.sh run: the measurements beside the
targets of the CUDA path (c2m_mmagic/benchmarks/device_summary.py).

Example:
    python tools/device_summary.py work_dirs/device_check
"""
from c2m_mmagic.apis import parser_from_doc
from c2m_mmagic.benchmarks.device_summary import write_summary

if __name__ == '__main__':
    parser = parser_from_doc(__doc__)
    parser.add_argument('folder')
    print(write_summary(parser.parse_args().folder))
