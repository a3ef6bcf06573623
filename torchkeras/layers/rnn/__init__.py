"""Recurrent layers and wrappers: SimpleRNN, GRU, LSTM, their cells, the
generic ``RNN`` layer, ``StackedRNNCells``, ``Bidirectional`` and
``TimeDistributed``.

Built-in cells keep their weights in torch's layout (``nn.GRU``'s
``weight_ih``/``weight_hh``/``bias``) so that ``fused_rnn`` can hand them to
torch's fused kernels (oneDNN on CPU, cuDNN on GPU); ``gate_layout`` converts
to and from Keras's layout for ``get_weights``/``set_weights`` and files.
``rnn_loop`` is the Python loop over time used for everything the kernels
cannot express (custom cells, ``reset_after=False``, recurrent dropout,
masks that are not right-padded).
"""
