"""Regularization layers: dropout variants, noise, activity penalties.

Each layer is a no-op at inference and acts only when called with
``training=True`` (``ActivityRegularization`` adds its penalty always).
Random draws use torch's generator, or a per-layer ``torch.Generator`` when
the layer is given a ``seed``.
"""
