"""Convolution layers: Conv1D/2D/3D, their transposes, depthwise and
separable convolutions.

``base_*.py`` hold the shared behaviour; ``conv_utils`` owns Keras's padding
arithmetic and the conversion between Keras and torch kernel layouts.
"""
