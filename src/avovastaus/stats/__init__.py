"""Survey statistics as pure functions over tables: per-question, per-group prevalence, intervals, tests, corrections.
"""
