"""Generates the Python code of the bank.v1 contract from the repository's proto/.

This is the first step of the classic gRPC lab: one .proto file, code
generated from it for another language, a client in that language. The
Rust server compiles the same file with protox (build.rs); here protoc
and its Python plugin come from the grpcio-tools package, run as
`python -m grpc_tools.protoc`, so no protoc needs installing.

It writes three files per .proto into the output folder (by default
examples/python/generated/, which git ignores):

    bank/v1/bank_pb2.py        the messages (ConvertRequest, RateUpdate, ...)
    bank/v1/bank_pb2.pyi       their types, for editors and type checkers
    bank/v1/bank_pb2_grpc.py   the client stub (BankServiceStub) and the
                               server base class, one method per RPC

The generated code is derived: never edit it, run this script again after
the .proto changes. The well-known types the contract imports
(google/protobuf/timestamp.proto, duration.proto) are not generated here:
the protobuf package ships them.

Usage: python generate.py [--out DIR]
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The repository's proto/ folder: the import root of the contract, the same
# one build.rs hands to protox.
PROTO_ROOT = HERE.parent.parent / "proto"

# The contract, relative to PROTO_ROOT: its path there is its import name,
# and so the Python package of the generated code (bank.v1).
PROTO_FILE = "bank/v1/bank.proto"

# Where the generated code goes unless --out says otherwise.
DEFAULT_OUT = HERE / "generated"


def protoc_command(out: Path) -> list[str]:
    """The protoc command line that writes the messages, their types and
    the gRPC stubs of PROTO_FILE into `out`."""
    return [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"--proto_path={PROTO_ROOT}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        str(PROTO_ROOT / PROTO_FILE),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder for the generated code (default: {DEFAULT_OUT})",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    command = protoc_command(args.out)
    print(" ".join(command))
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
