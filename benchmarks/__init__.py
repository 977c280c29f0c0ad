"""Benchmarks of the mock and the SDK, each against a baseline measured in the same run.

Run all with ``scripts/bench`` or one with ``scripts/bench NAME``; results land in
``benchmarks/results/latest.json`` and in the tables of ``BENCHMARKS.md``.
"""
