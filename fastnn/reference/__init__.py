"""fastnn.reference: plain vectorised NumPy, written from the formulas, independent of kernels/.

The correctness oracle for the tests and the baseline perf/ measures against. Nothing here
imports fastnn.kernels: a shared mistake would make every comparison pass.
"""
