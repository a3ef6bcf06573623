"""Running built-in cells on torch's fused RNN kernels, with Keras's rules.

``torch._VF.gru`` / ``lstm`` / ``rnn_tanh`` / ``rnn_relu`` are the kernels
behind ``nn.GRU`` and friends (oneDNN or native on CPU, cuDNN on GPU); they
take the weights a cell holds, in torch's layout. Masks that are
right-padded become packed sequences (``lengths`` from the mask, one host
transfer: the lengths and the right-padding check together); anything else
is for ``rnn_loop``. Packed outputs are zero past each sequence's end; the
functions here turn them into Keras's outputs: the previous output carried
over masked steps (or zeros with ``zero_output_for_mask``), and with
``go_backwards`` the sequence processed in reverse and returned in
processing order.
"""

import torch
from torch import _VF

_KERNELS = {
    "GRU": _VF.gru,
    "LSTM": _VF.lstm,
    "RNN_TANH": _VF.rnn_tanh,
    "RNN_RELU": _VF.rnn_relu,
}


class SequenceLengths:
    """The lengths of right-padded sequences and how to pack them.

    Attributes:
        mask: the ``(batch, timesteps)`` boolean mask.
        lengths: lengths on the mask's device.
        has_empty: whether a sequence is fully masked (packing needs at
            least one step: such rows are run on one step and fixed after).
    """

    def __init__(self, mask, lengths, lengths_cpu):
        self.mask = mask
        self.lengths = lengths
        self.has_empty = bool(lengths_cpu.min() == 0)
        self.empty = lengths == 0 if self.has_empty else None
        clamped_cpu = lengths_cpu.clamp(min=1)
        self.sorted_cpu, order = torch.sort(clamped_cpu, descending=True,
                                            stable=True)
        if lengths.device.type != "cpu":
            # The same stable sort on the device: no index copy to wait for.
            _, order = torch.sort(lengths.clamp(min=1), descending=True,
                                  stable=True)
        self.order = order
        self.inverse = torch.empty_like(order).scatter_(
            0, order, torch.arange(order.numel(), device=order.device))


def analyse_mask(mask):
    """Returns ``(runs_fused, lengths)`` for a ``(batch, timesteps)`` mask.

    ``runs_fused`` is False when the mask is not right-padded (use the
    loop); ``lengths`` is ``None`` when nothing is masked.
    """
    if mask is None:
        return True, None
    mask = mask if mask.dtype == torch.bool else mask.bool()
    timesteps = mask.shape[1]
    lengths = mask.sum(1)
    steps = torch.arange(timesteps, device=mask.device)
    right_padded = torch.eq(mask, steps < lengths[:, None]).all()
    host = torch.cat([lengths, right_padded.view(1).to(lengths.dtype)])
    host = host.cpu()  # the one host sync: packing needs CPU lengths
    if not bool(host[-1]):
        return False, None
    lengths_cpu = host[:-1]
    if bool(lengths_cpu.min() == timesteps):
        return True, None
    return True, SequenceLengths(mask, lengths, lengths_cpu)


def _kernel_params(params, has_biases):
    # cuDNN wants the weights in one buffer; given separate tensors it copies
    # them on every call (and warns). One differentiable copy here instead,
    # in cuDNN's order: every direction's matrices, then every bias.
    if not params[0].is_cuda:
        return params
    if has_biases:
        directions = range(len(params) // 4)
        order = ([4 * d + i for d in directions for i in (0, 1)]
                 + [4 * d + i for d in directions for i in (2, 3)])
    else:
        order = list(range(len(params)))
    flat = torch.cat([params[i].reshape(-1) for i in order])
    views, offset = [None] * len(params), 0
    for i in order:
        views[i] = flat[offset:offset + params[i].numel()].view(
            params[i].shape)
        offset += params[i].numel()
    return views


def run_kernel(mode, x, hx, params, has_biases, bidirectional,
               lengths=None, need_outputs=True):
    """Runs torch's kernel ``mode`` on batch-first ``x``.

    Args:
        hx: list of initial states, each ``(directions, batch, units)``.
        lengths: optional ``SequenceLengths`` (packed run).

    Returns:
        ``(outputs (batch, timesteps, directions * units) or None,
        final states list)``.
    """
    kernel = _KERNELS[mode]
    params = _kernel_params(list(params), has_biases)
    train = torch.is_grad_enabled()
    state = hx if mode == "LSTM" else hx[0]
    if lengths is None:
        result = kernel(x, state, params, has_biases, 1, 0.0, train,
                        bidirectional, True)
        return result[0], list(result[1:])
    order = lengths.order
    data, batch_sizes = _VF._pack_padded_sequence(
        x.index_select(0, order), lengths.sorted_cpu, True)
    if mode == "LSTM":
        state = [h.index_select(1, order) for h in hx]
    else:
        state = hx[0].index_select(1, order)
    result = kernel(data, batch_sizes, state, params, has_biases, 1, 0.0,
                    train, bidirectional)
    final = [h.index_select(1, lengths.inverse) for h in result[1:]]
    if not need_outputs:
        return None, final
    padded, _ = _VF._pad_packed_sequence(result[0], batch_sizes, True, 0.0,
                                         x.shape[1])
    return padded.index_select(0, lengths.inverse), final


def _reverse_within(x, lengths):
    """Each sequence reversed inside its length (padding left in place)."""
    steps = torch.arange(x.shape[1], device=x.device)[None, :]
    index = torch.where(steps < lengths[:, None],
                        lengths[:, None] - 1 - steps, steps)
    return x.gather(1, index[..., None].expand(-1, -1, x.shape[2]))


def _shift_right(outputs, lengths):
    """Row ``b`` moved right by ``timesteps - lengths[b]``, zeros before."""
    timesteps = outputs.shape[1]
    steps = torch.arange(timesteps, device=outputs.device)[None, :]
    source = steps - (timesteps - lengths[:, None])
    index = source.clamp(min=0)[..., None].expand(-1, -1, outputs.shape[2])
    shifted = outputs.gather(1, index)
    return torch.where((source >= 0)[..., None], shifted,
                       torch.zeros((), dtype=outputs.dtype,
                                   device=outputs.device))


def _keep_empty(lengths, initial, final):
    """Fully masked sequences keep their initial states."""
    if not lengths.has_empty:
        return final
    empty = lengths.empty[:, None]
    return [torch.where(empty, s0, s) for s0, s in zip(initial, final)]


def _zero_rows(rows, x):
    return torch.where(rows.view((-1,) + (1,) * (x.dim() - 1)),
                       torch.zeros((), dtype=x.dtype, device=x.device), x)


def run_cell(cell, x, states, lengths, go_backwards=False,
             zero_output_for_mask=False, return_sequences=True):
    """One direction of a built-in cell on the fused kernel.

    Returns:
        ``(last_output, outputs or None, final_states)`` as ``rnn_loop``.
    """
    params, has_biases = cell._fused_params()
    hx = [s.unsqueeze(0) for s in states]
    mode = cell._fused_mode()
    if lengths is None:
        xs = torch.flip(x, (1,)) if go_backwards else x
        outputs, final = run_kernel(mode, xs, hx, params, has_biases, False)
        final = [h[0] for h in final]
        return final[0], (outputs if return_sequences else None), final
    xs = _reverse_within(x, lengths.lengths) if go_backwards else x
    outputs, final = run_kernel(mode, xs, hx, params, has_biases, False,
                                lengths, return_sequences)
    final = _keep_empty(lengths, states, [h[0] for h in final])
    last = final[0]
    if lengths.has_empty:
        last = _zero_rows(lengths.empty, last)
    if go_backwards:
        if return_sequences:
            outputs = _shift_right(outputs, lengths.lengths)
        return last, outputs, final
    valid = lengths.mask
    if zero_output_for_mask:
        last = _zero_rows(~valid[:, -1], last)
    if return_sequences:
        fill = (torch.zeros((), dtype=outputs.dtype, device=outputs.device)
                if zero_output_for_mask else last[:, None, :])
        outputs = torch.where(valid[..., None], outputs, fill)
    return last, outputs, final


def run_bidirectional(forward_cell, backward_cell, x, forward_states,
                      backward_states, lengths, return_sequences=True):
    """Both directions in torch's bidirectional kernel.

    Returns:
        ``(outputs or None, forward_last, backward_last, forward_states,
        backward_states)``; ``outputs`` is ``(batch, timesteps, 2 * units)``
        in input time order, zero at masked steps (Bidirectional's
        ``zero_output_for_mask``); the backward half is the backward layer's
        output sequence flipped back, as Bidirectional returns it.
    """
    forward_params, has_biases = forward_cell._fused_params()
    backward_params, _ = backward_cell._fused_params()
    hx = [torch.stack([f, b]) for f, b in zip(forward_states,
                                              backward_states)]
    outputs, final = run_kernel(
        forward_cell._fused_mode(), x, hx,
        forward_params + backward_params, has_biases, True, lengths,
        return_sequences)
    forward_final = [h[0] for h in final]
    backward_final = [h[1] for h in final]
    forward_last, backward_last = forward_final[0], backward_final[0]
    if lengths is not None and lengths.has_empty:
        forward_final = _keep_empty(lengths, forward_states, forward_final)
        backward_final = _keep_empty(lengths, backward_states,
                                     backward_final)
        forward_last = _zero_rows(lengths.empty, forward_last)
        backward_last = _zero_rows(lengths.empty, backward_last)
        if outputs is not None:
            outputs = _zero_rows(lengths.empty, outputs)
    return (outputs, forward_last, backward_last, forward_final,
            backward_final)
