"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, and the
cropping, zero-padding and up-sampling layers.

Flatten, Reshape and Permute return torch views where the memory allows;
RepeatVector copies.
"""
