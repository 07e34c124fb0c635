"""The test harness: acting as someone (clients.py), data (factories.py), access proofs.

The fixtures built on it (``client``, ``client_as``, ``api_as``) are in tests/conftest.py.
"""
