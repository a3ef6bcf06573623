"""Pooling layers: Max/AveragePooling1D/2D/3D and their global forms.

``base_pooling`` runs torch's fused pooling kernels on a zero-copy
channels-first view with Keras's ``'same'`` semantics; ``base_global_pooling``
reduces the spatial axes in the Keras layout.
"""
