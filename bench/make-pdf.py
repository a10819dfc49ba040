#!/usr/bin/python3
"""bench/make-pdf.py PATH SIZE: a PDF of SIZE bytes with nothing active in it
(lines of hex digits that no check objects to), different each time, for the
link benchmarks (bench/link.sh, bench/link-node-links.sh)."""
import os
import sys

path, size = sys.argv[1], int(sys.argv[2])
head = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + os.urandom(8).hex().encode() + b"\n"
line = b"0123456789abcdef0123456789abcdef\n"
body = (line * (size // len(line) + 1))[: size - len(head) - 6]
open(path, "wb").write(head + body + b"%%EOF\n")
