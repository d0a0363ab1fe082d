"""Drives oras-py (PyPI `oras`) for `cargo xtask bench`.

    python3 oras_py.py push HOST HOST/REPO:TAG NAME...   (run in the files' directory)
    python3 oras_py.py pull HOST HOST/REPO:TAG OUTDIR

Plain HTTP (`insecure=True`), anonymous, the library's defaults otherwise
(monolithic POST+PUT uploads). Exits non-zero with the error on stderr.
"""

import sys

import oras.client


def main(argv):
    if len(argv) < 4 or argv[1] not in ("push", "pull"):
        sys.stderr.write(__doc__)
        return 2
    command, host, target = argv[1], argv[2], argv[3]
    client = oras.client.OrasClient(hostname=host, insecure=True)
    if command == "push":
        files = argv[4:]
        if not files:
            sys.stderr.write("push needs at least one file\n")
            return 2
        client.push(target=target, files=files, quiet=True)
    else:
        if len(argv) != 5:
            sys.stderr.write("pull needs OUTDIR\n")
            return 2
        pulled = client.pull(target=target, outdir=argv[4])
        if not pulled:
            sys.stderr.write("pull wrote no files\n")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
