#!/usr/bin/env python3
"""The names (Suite.Test) of every `cuda`-labelled GoogleTest test, read from the sources: the
files of tests/cuda/ and those that a `zkd_test(NAME cuda SOURCES ...)` call in a
tests/*/CMakeLists.txt lists, scanned for TEST / TEST_F. From the working tree, or with
--rev REV from git at that commit. tests/gpu/summarize.py uses the working tree's list (to name
the cuda tests that did not run) and tests/gpu/cuda-tests-27ad15d.txt (made by
`cuda_tests.py --rev 27ad15d`: the tests of the last GPU run) to mark the tests added since.

Usage: cuda_tests.py [--repo DIR] [--rev REV] [--targets]
  one test name per line, sorted; --targets: the names of the CMake test binaries instead
"""
import argparse
import os
import re
import subprocess
import sys

CALL_RE = re.compile(r"zkd_test\(\s*(\S+)\s+cuda\s+SOURCES\s+([^)]*)\)", re.S)
TEST_RE = re.compile(r"^\s*(TEST|TEST_F|TEST_P|TYPED_TEST)\s*\(\s*(\w+)\s*,\s*(\w+)\s*\)", re.M)


class Tree:
    """Files of the working tree, or of a git commit."""

    def __init__(self, repo, rev):
        self.repo, self.rev = repo, rev

    def read(self, path):
        if self.rev:
            r = subprocess.run(["git", "-C", self.repo, "show", "%s:%s" % (self.rev, path)],
                               capture_output=True, text=True)
            return r.stdout if r.returncode == 0 else None
        full = os.path.join(self.repo, path)
        return open(full, errors="replace").read() if os.path.isfile(full) else None

    def listdir(self, folder):
        if self.rev:
            r = subprocess.run(["git", "-C", self.repo, "ls-tree", "--name-only", "%s:%s" % (self.rev, folder)],
                               capture_output=True, text=True)
            return r.stdout.split() if r.returncode == 0 else []
        full = os.path.join(self.repo, folder)
        return sorted(os.listdir(full)) if os.path.isdir(full) else []


def cuda_binaries(tree):
    """{target name: its source files}: zkd_cuda_tests (tests/cuda/*.cpp) and the zkd_test(NAME
    cuda SOURCES ...) calls of the tests' subfolders."""
    out = {"zkd_cuda_tests": ["tests/cuda/" + f for f in tree.listdir("tests/cuda") if f.endswith(".cpp")]}
    for sub in tree.listdir("tests"):
        text = tree.read("tests/%s/CMakeLists.txt" % sub)
        for m in CALL_RE.finditer(text or ""):
            out[m.group(1)] = ["tests/%s/%s" % (sub, w) for w in m.group(2).split("LIBS")[0].split()
                               if w.endswith(".cpp")]
    return out


def cuda_tests(tree):
    names = set()
    for path in sorted({f for files in cuda_binaries(tree).values() for f in files}):
        for m in TEST_RE.finditer(tree.read(path) or ""):
            if m.group(1) != "TEST" and m.group(1) != "TEST_F":
                sys.exit("cuda_tests.py: %s: %s(%s, %s) is parameterized; list its instances by hand"
                         % (path, m.group(1), m.group(2), m.group(3)))
            names.add("%s.%s" % (m.group(2), m.group(3)))
    return sorted(names)


def main():
    ap = argparse.ArgumentParser(description="List the cuda-labelled tests from the sources.")
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("--rev", default="", help="a git commit (default: the working tree)")
    ap.add_argument("--targets", action="store_true", help="print the test binaries' target names")
    args = ap.parse_args()
    tree = Tree(args.repo, args.rev)
    if args.targets:
        print("\n".join(sorted(cuda_binaries(tree))))
        return
    names = cuda_tests(tree)
    if not names:
        sys.exit("cuda_tests.py: no cuda tests found under %s%s" % (args.repo, " at " + args.rev if args.rev else ""))
    print("\n".join(names))


if __name__ == "__main__":
    main()
