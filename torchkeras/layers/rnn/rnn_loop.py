"""The Python loop over time, with Keras's masking rules.

Used for what torch's fused kernels cannot run: custom cells, custom
activations, ``reset_after=False``, recurrent dropout, masks that are not
right-padded. Semantics follow Keras's backend ``rnn``:

- ``go_backwards`` reverses the inputs (and mask) along time and the outputs
  stay in processing order, i.e. reversed;
- at a masked step every state keeps its previous value and the output is
  the previous output (zeros before the first step), or zeros when
  ``zero_output_for_mask`` (Bidirectional with ``return_sequences``);
- the last output is the last element of that masked output sequence.
"""

import torch

from torchkeras.utils import tree


def _expand(mask_t, like):
    """``mask_t`` (batch,) shaped to broadcast against ``like``."""
    return mask_t.view((-1,) + (1,) * (like.dim() - 1))


def _masked(mask_t, new, old):
    flat_new, flat_old = tree.flatten(new), tree.flatten(old)
    merged = [torch.where(_expand(mask_t, n), n, o)
              for n, o in zip(flat_new, flat_old)]
    return tree.pack_sequence_as(new, merged)


def run_loop(step, inputs, states, mask=None, go_backwards=False,
             zero_output_for_mask=False, return_sequences=True):
    """Runs ``step(x_t, states) -> (output, new_states)`` over time.

    Args:
        step: the per-step function.
        inputs: ``(batch, timesteps, ...)`` tensor.
        states: the initial states (a list, possibly nested).
        mask: optional ``(batch, timesteps)`` boolean tensor.
        go_backwards: process the sequence in reverse.
        zero_output_for_mask: zeros instead of the previous output at
            masked steps.
        return_sequences: whether to stack all outputs.

    Returns:
        ``(last_output, outputs or None, final_states)``; ``outputs`` is
        ``(batch, timesteps, ...)`` in processing order.
    """
    if go_backwards:
        inputs = torch.flip(inputs, (1,))
        mask = torch.flip(mask, (1,)) if mask is not None else None
    steps = torch.unbind(inputs, 1)
    mask_steps = torch.unbind(mask, 1) if mask is not None else None
    outputs = []
    previous = None
    for t, x_t in enumerate(steps):
        output, new_states = step(x_t, states)
        if mask_steps is not None:
            mask_t = mask_steps[t]
            new_states = _masked(mask_t, new_states, states)
            if previous is None or zero_output_for_mask:
                previous = torch.zeros_like(output)
            output = torch.where(_expand(mask_t, output), output, previous)
            previous = output
        states = new_states
        if return_sequences or not outputs:
            outputs.append(output)
        else:
            outputs[0] = output
    last = outputs[-1]
    stacked = torch.stack(outputs, 1) if return_sequences else None
    return last, stacked, states
