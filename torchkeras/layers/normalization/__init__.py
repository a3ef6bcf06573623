"""Normalization layers: Batch-, Layer-, Group- and UnitNormalization.

The statistics and formulas are Keras 3's; the work is done by torch's
fused kernels (``F.batch_norm``, ``F.layer_norm``, ``F.group_norm``) on a
channels-second view of the Keras-layout inputs.
"""
