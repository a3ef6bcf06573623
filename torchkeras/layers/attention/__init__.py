"""Attention layers: Attention (Luong), AdditiveAttention (Bahdanau) and
MultiHeadAttention, with Keras's weights, masks and scores; the softmax of
the scores runs in ``torch.nn.functional.scaled_dot_product_attention``
whenever the attention scores are not asked for.
"""
