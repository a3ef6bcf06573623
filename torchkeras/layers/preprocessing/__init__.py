"""Preprocessing layers: lookups, hashing, text, normalization and images.

String layers (``StringLookup``, ``Hashing``, ``TextVectorization``) run on
the host with NumPy/Python and hand torch tensors to the rest of the model;
numeric and image layers run torch ops on the model's device.
"""
