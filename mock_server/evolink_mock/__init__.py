"""Stateful mock of the EvoLink persona service."""
