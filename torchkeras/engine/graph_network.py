"""The functional graph network: ordering nodes once, running them fast.

``GraphNetwork.from_tensors(inputs, outputs)`` walks the ``_keras_history``
of the output KerasTensors back to the inputs, checks the graph (disconnected
inputs, duplicate layer names), orders the nodes by depth as tf.keras does
and keeps the plan. ``run(flat_inputs)`` executes the plan: each node's layer
is called on the tensors its inputs name, and nothing else happens per step.
The ``Model`` class owns the user-facing API; this module owns the graph.
"""

import torch
from torch.nn.modules import module as torch_module

from torchkeras.backend import session
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.utils import tree


class _Step:
    """One node of the plan: how to gather its arguments and store outputs."""

    __slots__ = ("layer", "node", "fast_key", "args", "kwargs", "out_keys",
                 "single_out", "in_keys", "release")

    def __init__(self, node):
        self.layer = node.layer
        self.node = node
        self.out_keys = [id(t) for t in node.output_tensors]
        self.single_out = isinstance(node.outputs, KerasTensor)
        self.args = node.call_args
        self.kwargs = node.call_kwargs
        self.fast_key = None
        if (len(node.call_args) == 1 and not node.call_kwargs
                and isinstance(node.call_args[0], KerasTensor)):
            self.fast_key = id(node.call_args[0])
        self.in_keys = {id(t) for t in node.input_tensors}
        self.release = ()  # keys no later step reads (see _plan_release)


class GraphNetwork:
    """The ordered nodes between ``inputs`` and ``outputs`` KerasTensors."""

    def __init__(self, inputs, outputs, owner_name):
        self.owner_name = owner_name
        self.flat_inputs = tree.flatten(inputs)
        self.flat_outputs = tree.flatten(outputs)
        for kind, tensors in (("inputs", self.flat_inputs),
                              ("outputs", self.flat_outputs)):
            for t in tensors:
                if not isinstance(t, KerasTensor):
                    raise ValueError(
                        f"Model '{owner_name}': all `{kind}` must be "
                        "KerasTensors (from `Input` or a layer call). "
                        f"Received: {kind} containing {t!r}"
                    )
        self.nodes = self._order_nodes()
        self.layers = self._collect_layers()
        self._check_unique_names()
        # A node producing a given input (an Input, or an intermediate
        # tensor as tf.keras 2 allows) is not run: its value is fed.
        given = {id(t) for t in self.flat_inputs}
        self.steps = [_Step(n) for n in self.nodes
                      if not any(id(t) in given for t in n.output_tensors)]
        self.input_keys = [id(t) for t in self.flat_inputs]
        self.output_keys = [id(t) for t in self.flat_outputs]
        self._plan_release()
        self.is_chain = self._is_chain()

    def _plan_release(self):
        """Each value is dropped after the last step that reads it, so a
        run holds only the live activations (ResNet50 at batch 32 kept
        5 GB of them, and ran ~10 % slower for it)."""
        last = {}
        for i, step in enumerate(self.steps):
            for key in step.in_keys:
                last[key] = i
        outputs = set(self.output_keys)
        for key, i in last.items():
            if key not in outputs:
                self.steps[i].release += (key,)

    def _is_chain(self):
        """One input, one output, each node taking the previous output."""
        if len(self.input_keys) != 1 or len(self.output_keys) != 1:
            return False
        key = self.input_keys[0]
        for step in self.steps:
            if step.fast_key != key or not step.single_out:
                return False
            key = step.out_keys[0]
        return key == self.output_keys[0]

    @property
    def input_layers(self):
        return [t._keras_history.layer for t in self.flat_inputs]

    def _order_nodes(self):
        """The nodes, deepest first (Keras's order: depth is the longest
        path to an output; ties keep the depth-first post-order).

        Iterative, so a graph of any depth (EfficientNetV2L's ~1000 layers)
        is ordered without Python recursion.
        """
        input_ids = {id(t) for t in self.flat_inputs}
        order = []  # depth-first post-order: nodes and ("input", id) keys
        done = set()
        on_stack = set()
        edges = {}  # key -> keys of the items its inputs come from

        def producing_node(tensor):
            history = tensor._keras_history
            return history.layer._inbound_nodes[history.node_index]

        def item_for(tensor, stack):
            """(key, node): node is None for one of the model's inputs."""
            if id(tensor) in input_ids:
                return ("input", id(tensor)), None
            node = producing_node(tensor)
            if node.is_input:
                raise ValueError(
                    f"Graph disconnected: cannot find parent for tensor "
                    f"{tensor} at layer '{node.layer.name}' of model "
                    f"'{self.owner_name}'. The following previous layers "
                    f"were accessed without issue: "
                    f"{[n.layer.name for _, n, _ in stack]}. Pass that "
                    "input in `inputs` too."
                )
            return id(node), node

        roots = []
        for out in self.flat_outputs:
            key, node = item_for(out, [])
            roots.append(key)
            if key in done:
                continue
            if node is None:
                done.add(key)
                order.append(key)
                continue
            stack = [(key, node, iter(node.input_tensors))]
            on_stack.add(key)
            while stack:
                key, node, pending = stack[-1]
                tensor = next(pending, None)
                if tensor is None:
                    stack.pop()
                    on_stack.discard(key)
                    done.add(key)
                    order.append(node)
                    continue
                child, child_node = item_for(tensor, stack)
                edges.setdefault(key, []).append(child)
                if child in on_stack:
                    raise ValueError(
                        f"Model '{self.owner_name}': the graph has a cycle "
                        f"at layer '{child_node.layer.name}'."
                    )
                if child in done:
                    continue
                if child_node is None:
                    done.add(child)
                    order.append(child)
                    continue
                on_stack.add(child)
                stack.append((child, child_node,
                              iter(child_node.input_tensors)))
        # Reversed post-order visits every consumer before what it consumes.
        depth = dict.fromkeys(roots, 0)
        for item in reversed(order):
            key = _key(item)
            for child in edges.get(key, ()):
                depth[child] = max(depth.get(child, 0), depth[key] + 1)
        ranked = sorted(range(len(order)),
                        key=lambda i: (-depth[_key(order[i])], i))
        nodes = []
        for i in ranked:
            item = order[i]
            if isinstance(item, tuple):
                tensor = next(t for t in self.flat_inputs
                              if id(t) == item[1])
                nodes.append(producing_node(tensor))
            else:
                nodes.append(item)
        # Inputs not used by any output still belong to the model.
        for t in self.flat_inputs:
            node = producing_node(t)
            if node not in nodes:
                nodes.insert(0, node)
        return nodes

    def _collect_layers(self):
        seen = set()
        layers = []
        for node in self.nodes:
            if id(node.layer) not in seen:
                seen.add(id(node.layer))
                layers.append(node.layer)
        return layers

    def _check_unique_names(self):
        names = [layer.name for layer in self.layers]
        if len(set(names)) == len(names):
            return
        for name in names:
            if names.count(name) > 1:
                raise ValueError(
                    f"Model '{self.owner_name}': all layer names should be "
                    f"unique. The layer name '{name}' is used "
                    f"{names.count(name)} times."
                )

    def run(self, flat_inputs, mode=None):
        """Runs the plan on tensors given in ``flat_inputs`` order.

        Inside a model's call, a one-tensor node whose layer adds nothing in
        ``__call__`` (``CallPlan.direct``) gets its ``call`` invoked
        directly with the run's ``training``: the same computation, without
        two Python frames of torch's and the layer's per-call resolution.
        ``mode``: what ``direct_call_mode`` gave, when the caller has it.
        A chain (``is_chain``) passes each output to the next node without
        keeping values by key.
        """
        if mode is None:
            mode = direct_call_mode(flat_inputs)
        training = CALL_CONTEXT.training
        if self.is_chain:
            return [self.run_chain(flat_inputs[0], mode, training)]
        values = dict(zip(self.input_keys, flat_inputs))
        for step in self.steps:
            if step.fast_key is not None:
                out = _call_node(step.layer, values[step.fast_key], mode,
                                 training)
            else:
                args = tree.map_structure(
                    lambda x: values[id(x)] if isinstance(x, KerasTensor)
                    else x, step.args)
                kwargs = tree.map_structure(
                    lambda x: values[id(x)] if isinstance(x, KerasTensor)
                    else x, step.kwargs)
                out = step.layer(*args, **kwargs)
                args = kwargs = None  # hold no released value
            if step.single_out:
                values[step.out_keys[0]] = out
            else:
                for key, value in zip(step.out_keys, tree.flatten(out)):
                    values[key] = value
            for key in step.release:
                del values[key]
        return [values[k] for k in self.output_keys]

    def run_chain(self, x, mode, training):
        """What ``run([x], mode)`` computes for a chain (``is_chain``):
        each output goes to the next node, nothing is kept by key. Used
        by ``run`` and, without its setup, by predict's per-batch call."""
        for step in self.steps:  # `_call_node`, inlined: one frame less
            layer = step.layer
            plan = _direct(layer, x, mode)
            if plan is None:
                x = layer(x)
            else:
                x = (plan.call(x, training=training) if plan.takes_training
                     else plan.call(x))
        return x


def _call_node(layer, x, mode, training):
    """``layer(x)``, or its ``call`` directly where its plan allows."""
    plan = _direct(layer, x, mode)
    if plan is None:
        return layer(x)
    return plan.call(x, training=training) if plan.takes_training else (
        plan.call(x))


def _direct(layer, x, mode):
    """``layer``'s `CallPlan` when calling it on ``x`` in a run of ``mode``
    may skip ``__call__``; None otherwise."""
    if mode is None:
        return None
    plan = layer.__dict__.get("_call_plan") or layer._call_plan()
    if (plan.direct and plan.mixed_dtype is mode
            and type(x) is torch.Tensor
            and (x.dtype is plan.float_dtype or plan.float_dtype is None
                 or not x.is_floating_point())
            and not (layer._forward_hooks or layer._forward_pre_hooks
                     or layer._backward_hooks
                     or layer._backward_pre_hooks)):
        return plan
    return None


def direct_call_mode(flat_inputs):
    """Which layers a graph run may call directly (see ``run``).

    None: none (an outermost run, whose ``training`` is unresolved, or
    hooks, tracing or placement logging to honour). False: layers without
    a mixed policy. A torch dtype: inside a mixed model's autocast of that
    dtype, the mixed layers computing in it (their ``__call__`` would
    enter nothing: the autocast is already there).
    """
    if CALL_CONTEXT.depth == 0 or not nothing_global_to_honour(
            mixed_allowed=True):
        return None
    if not CALL_CONTEXT.mixed_calls:
        return False
    first = next((x for x in flat_inputs if type(x) is torch.Tensor), None)
    if first is None:
        return None
    device_type = first.device.type
    if device_type in ("cpu", "cuda") and torch.is_autocast_enabled(
            device_type):
        return torch.get_autocast_dtype(device_type)
    return None


def nothing_global_to_honour(mixed_allowed=False):
    """No global module hooks, placement logging, mixed-precision scope or
    TorchScript tracing that a layer's ``__call__`` would have to honour."""
    return not (session.SETTINGS.log_placement
                or (CALL_CONTEXT.mixed_calls and not mixed_allowed)
                or torch_module._global_forward_hooks
                or torch_module._global_forward_pre_hooks
                or torch_module._global_backward_hooks
                or torch_module._global_backward_pre_hooks
                or torch._C._get_tracing_state())


def _key(item):
    return item if isinstance(item, tuple) else id(item)

