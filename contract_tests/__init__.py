"""The contract harness: proof that the spec, the clients and a server still agree.

Runs in-process against the mock by default (``pytest contract_tests``) and against any
base URL through ``scripts/contract``. Not shipped in the wheel: it watches the products
from outside, it is not one of them.
"""
