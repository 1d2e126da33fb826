"""Settings split by environment: base (shared), dev, prod and test.

Every value that differs between machines comes from the environment; see README.md.
"""
