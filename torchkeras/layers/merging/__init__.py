"""Merge layers (Add, Concatenate, Dot, ...) and their functional forms.

``base_merge.Merge`` owns the shape checks done at graph construction and
the mask rules; each concrete layer file defines one merge function.
"""
