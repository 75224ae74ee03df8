"""``python -m vanishing.reproduce [--run results] [--against docs]``: print the verdict of this
run against a published one and write the check's CSV and JSON (beside the run by default)."""

import argparse
import sys
from pathlib import Path

from .comparison import DIFFERS, PUBLISHED, NoRunError, check, write
from .numbers import ROUNDING


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vanishing.reproduce", description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, default=Path("results"), help="this run's folder (default results)")
    parser.add_argument("--against", type=Path, default=Path(PUBLISHED),
                        help="the published run: docs/ (default) or an earlier results/ folder")
    parser.add_argument("--csv", type=Path, help="where to write the CSV (default RUN/reproduce_check.csv)")
    parser.add_argument("--json", type=Path, help="where to write the JSON (default RUN/reproduce_check.json)")
    parser.add_argument("--rounding", type=float, default=ROUNDING,
                        help=f"relative difference counted as rounding (default {ROUNDING:g})")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the runs differ")
    args = parser.parse_args(argv)
    try:
        result = check(args.run, args.against, rounding=args.rounding)
    except NoRunError as exc:
        print(f"reproduce: {exc}", file=sys.stderr)
        return 2
    csv_path = args.csv or args.run / "reproduce_check.csv"
    json_path = args.json or args.run / "reproduce_check.json"
    write(result, csv_path, json_path)
    print(result["verdict"])
    print(f"wrote {csv_path} and {json_path}", file=sys.stderr)
    return 1 if args.strict and result["status"] == DIFFERS else 0


if __name__ == "__main__":
    sys.exit(main())
