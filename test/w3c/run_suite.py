"""Runs the W3C Trace Context test suite (its test/test.py) with the standard-library harness.

Usage: python3 run_suite.py <suite test/ folder> <service endpoint> [test names...]
Environment as test.py documents it (STRICT_LEVEL, SPEC_LEVEL, HARNESS_PORT, ...).
"""
import os
import runpy
import sys

here = os.path.dirname(os.path.abspath(__file__))
suite = os.path.abspath(sys.argv[1])
sys.path.insert(0, here)
sys.path.insert(0, suite)
import stdlib_harness  # noqa: E402

sys.modules['server'] = stdlib_harness
sys.argv = [os.path.join(suite, 'test.py')] + sys.argv[2:]
runpy.run_path(sys.argv[0], run_name='__main__')
