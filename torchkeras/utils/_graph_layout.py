"""A model graph drawn without Graphviz: layout, SVG and matplotlib images.

``model_to_dot`` reads a model once into the graph defined here: a root
``GraphCluster`` holding ``GraphNode`` records (one per layer: its label
fields) and, for each nested model drawn expanded, a child ``GraphCluster``;
every cluster keeps the edges found in its own model, as pairs of node ids.
The DOT writer and this module both consume that graph.

The layout is a layered (Sugiyama-style) one, computed in pure Python:

1. Ranks: the longest path from the sources; at the top level a source
   (an input) is moved down to just above its first consumer, inside a
   cluster the sinks (its outputs) go to the last rank.
2. Edges spanning several ranks get one dummy vertex per rank crossed, so
   that skip connections are routed around the layers they skip.
3. Order within each rank: barycenter sweeps down and up, then swaps of
   neighbours, keeping the order with the fewest crossings.
4. Coordinates: each rank is placed at the weighted mean of its neighbours
   under the minimum separations (an isotonic regression per rank,
   iterated), which keeps chains and long edges straight.

A cluster is laid out first on its own and is then one (large) vertex of
the level above, so its box never overlaps anything. The layout runs in
abstract coordinates (``u`` across the ranks, ``v`` along them) and is
turned at the end for ``rankdir`` ``TB``, ``BT``, ``LR`` or ``RL``; the
records are flipped as Graphviz flips them (fields side by side in ``TB``
and ``BT``, stacked in ``LR`` and ``RL``). Sizes are in points (1/72 in).

``to_svg`` writes SVG text structured like Graphviz's (``<g class="node">``
with the node id as its ``<title>``, ``<g class="edge">`` titled
``SRC->DST``); ``to_image`` draws the same picture with matplotlib's Agg
canvas (a ``Figure`` of its own: pyplot and its backends are not touched)
in any format that canvas writes (PNG, PDF, JPEG, ...).
"""

import io
import unicodedata

FONT_SIZE = 11.0
CLUSTER_FONT_SIZE = 14.0
FONT_FAMILY = "Helvetica,Arial,sans-serif"

_ROW = 20.0  # height of one row of a record
_MIN_W, _MIN_H = 54.0, 36.0  # Graphviz's default node size, 0.75 x 0.5 in
_PAD = 8.0  # horizontal space on each side of a field's text
_NODE_SEP = 18.0
_EDGE_SEP = 14.0  # between a node and an edge passing by
_DUMMY_SEP = 9.0  # between two edges passing by
_RANK_SEP = 36.0
_CLUSTER_PAD = 8.0
_CLUSTER_LABEL = 22.0  # the band of a cluster's name
_MARGIN = 4.0
_ARROW = 7.0
_ARROW_HALF = 2.5

_ORDER_SWEEPS = 12
_PLACE_SWEEPS = 24


class GraphNode:
    """One layer of the plot: its id and the fields of its record.

    Args:
        id: the node id (``n0``, ``n1``, ...).
        title: ``"name: Class"`` (or the class alone).
        activation: the activation's name, or ``None`` when not shown.
        dtype: the output dtype text, or ``None`` when not shown.
        shapes: ``(inputs, outputs)`` shape texts, or ``None``.
        trainable: ``"Trainable"``/``"Non-trainable"``, or ``None``.
    """

    def __init__(self, id, title, activation=None, dtype=None,  # noqa: A002
                 shapes=None, trainable=None):
        self.id = id
        self.title = title
        self.activation = activation
        self.dtype = dtype
        self.shapes = shapes
        self.trainable = trainable

    def fields(self):
        """The record's fields in order, each a tuple of stacked texts."""
        fields = [(self.title,)]
        if self.activation is not None:
            fields.append((self.activation,))
        if self.dtype is not None:
            fields.append((self.dtype,))
        if self.shapes is not None:
            fields += [("input:", "output:"), tuple(self.shapes)]
        if self.trainable is not None:
            fields.append((self.trainable,))
        return [tuple(t.replace("\n", " ") for t in f) for f in fields]


class GraphCluster:
    """A model's part of the plot: its nodes, sub-clusters and edges.

    Args:
        id: the cluster's node id, or ``None`` for the root.
        label: the text drawn at the top of the cluster (the model name).
    """

    def __init__(self, id=None, label=None):  # noqa: A002
        self.id = id
        self.label = label
        self.items = []  # GraphNode and GraphCluster, in layer order
        self.edges = []  # (source node id, target node id)

    def nodes(self):
        """Every node of the cluster, nested ones included."""
        for item in self.items:
            if isinstance(item, GraphCluster):
                yield from item.nodes()
            else:
                yield item

    def clusters(self):
        """The sub-clusters, outer ones first."""
        for item in self.items:
            if isinstance(item, GraphCluster):
                yield item
                yield from item.clusters()

    def all_edges(self):
        """Every edge of the cluster, nested ones included."""
        yield from self.edges
        for item in self.items:
            if isinstance(item, GraphCluster):
                yield from item.all_edges()


# ----------------------------------------------------------------------
# Text widths.

# Helvetica's advance widths (1/1000 em) for the printable ASCII characters.
_HELVETICA = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333,
    278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278,
    584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
    500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944,
    667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556,
    278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
    278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
]


def helvetica_width(text, size):
    """The width in points of ``text`` set in Helvetica at ``size``."""
    total = 0
    for char in text:
        code = ord(char)
        if 32 <= code < 127:
            total += _HELVETICA[code - 32]
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            total += 1000
        else:
            total += 556
    return total * size / 1000.0


# ----------------------------------------------------------------------
# Layout.


class _Dummy:
    """A bend point of an edge crossing a rank."""


class _Block:
    """A laid out cluster: its size and its units' centers (local)."""

    def __init__(self, cluster, size, centers, children, routes):
        self.cluster = cluster
        self.size = size  # (su, sv), margins included
        self.centers = centers  # unit -> (u, v) from the block's corner
        self.children = children  # sub-cluster -> _Block
        self.routes = routes  # (src id, dst id, [(u, v) bend points])

    def port(self, node_id):
        """The ``u`` of the node ``node_id``'s center, from the corner."""
        for unit, (u, _) in self.centers.items():
            if isinstance(unit, GraphCluster):
                if any(n.id == node_id for n in unit.nodes()):
                    child = self.children[unit]
                    return u - child.size[0] / 2 + child.port(node_id)
            elif unit.id == node_id:
                return u
        raise KeyError(node_id)


class Layout:
    """Where everything goes, in points, with ``y`` pointing down.

    Attributes:
        width, height: the picture's size.
        nodes: node id -> ``(GraphNode, (x, y, w, h), cells)`` where cells
            are ``(x, y, w, h, text)`` boxes in picture coordinates.
        clusters: ``(GraphCluster, (x, y, w, h), (x, y))``, outer ones
            first; the point is the center of the cluster's name.
        edges: ``(src id, dst id, points, arrow)``: ``points`` starts a
            cubic Bezier path (1 + 3k points), ``arrow`` is the arrowhead's
            triangle.
    """

    def __init__(self, width, height, nodes, clusters, edges):
        self.width = width
        self.height = height
        self.nodes = nodes
        self.clusters = clusters
        self.edges = edges


def layout(root, rankdir="TB", measure=helvetica_width):
    """Lays out the graph ``root`` (a ``GraphCluster``).

    Args:
        root: the graph, as ``model_to_dot`` reads it.
        rankdir: ``"TB"``, ``"BT"``, ``"LR"`` or ``"RL"``.
        measure: ``measure(text, size)``, the width of a text in points.

    Returns:
        A ``Layout``.
    """
    flipped = rankdir in ("LR", "RL")
    records = {}
    for node in root.nodes():
        records[node.id] = _record(node.fields(), flipped, measure)
    label_width = {c.id: measure(c.label or "", CLUSTER_FONT_SIZE)
                   for c in root.clusters()}
    block = _layout_cluster(root, records, label_width, rankdir, True)
    boxes, cluster_boxes, routes = {}, [], []
    _place(block, _MARGIN, _MARGIN, records, flipped, boxes, cluster_boxes,
           routes)
    total_u = block.size[0] + 2 * _MARGIN
    total_v = block.size[1] + 2 * _MARGIN

    def point(u, v):
        if rankdir == "TB":
            return u, v
        if rankdir == "BT":
            return u, total_v - v
        if rankdir == "LR":
            return v, u
        return total_v - v, u

    def rect(u, v, su, sv):
        (x0, y0), (x1, y1) = point(u, v), point(u + su, v + sv)
        return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)

    nodes = {}
    for node in root.nodes():
        box = rect(*boxes[node.id])
        cells = records[node.id][2]
        nodes[node.id] = (node, box, [
            (box[0] + x, box[1] + y, w, h, text)
            for x, y, w, h, text in cells])
    clusters = []
    band = (_CLUSTER_LABEL + _CLUSTER_PAD) / 2
    for cluster, box in cluster_boxes:
        x, y, w, h = rect(*box)
        label = (x + w / 2, y + h - band if rankdir == "BT" else y + band)
        clusters.append((cluster, (x, y, w, h), label))
    edges = []
    for src, dst, bends in routes:
        curve, arrow = _edge_path(boxes[src], boxes[dst], bends)
        edges.append((src, dst, [point(*p) for p in curve],
                      [point(*p) for p in arrow]))
    width, height = (total_v, total_u) if flipped else (total_u, total_v)
    return Layout(width, height, nodes, clusters, edges)


def _record(fields, flipped, measure):
    """A record's size and cells: ``(w, h, [(x, y, w, h, text)])``."""
    widths = [[measure(t, FONT_SIZE) + 2 * _PAD for t in field]
              for field in fields]
    cells = []
    if not flipped:  # fields side by side, their texts stacked
        rows = max(len(field) for field in fields)
        height = max(_MIN_H, _ROW * rows)
        columns = [max(w) for w in widths]
        extra = max(0.0, _MIN_W - sum(columns)) / len(columns)
        x = 0.0
        for field, width in zip(fields, columns):
            width += extra
            step = height / len(field)
            for i, text in enumerate(field):
                cells.append((x, i * step, width, step, text))
            x += width
        return x, height, cells
    # LR/RL: fields stacked, their texts side by side.
    width = max(_MIN_W, max(sum(w) for w in widths))
    height = max(_MIN_H, _ROW * len(fields))
    step = height / len(fields)
    for row, (field, natural) in enumerate(zip(fields, widths)):
        extra = (width - sum(natural)) / len(field)
        x = 0.0
        for text, w in zip(field, natural):
            cells.append((x, row * step, w + extra, step, text))
            x += w + extra
    return width, height, cells


def _layout_cluster(cluster, records, label_width, rankdir, is_root):
    flipped = rankdir in ("LR", "RL")
    children = {}
    sizes = {}
    unit_of = {}
    for item in cluster.items:
        if isinstance(item, GraphCluster):
            children[item] = _layout_cluster(item, records, label_width,
                                             rankdir, False)
            sizes[item] = children[item].size
            for node in item.nodes():
                unit_of[node.id] = item
        else:
            w, h = records[item.id][:2]
            sizes[item] = (h, w) if flipped else (w, h)
            unit_of[item.id] = item
    units = list(cluster.items)
    edges = [(unit_of[a], unit_of[b], a, b) for a, b in cluster.edges]
    rank = _rank(units, [(s, d) for s, d, _, _ in edges], is_root)

    def port(unit, node_id):
        """Where an edge of ``node_id`` meets ``unit``, from its center."""
        if unit in children:
            return children[unit].port(node_id) - sizes[unit][0] / 2
        return 0.0

    # Dummy vertices for the edges spanning several ranks. A neighbour is
    # (vertex, its port, this vertex's port): ports are offsets from the
    # centers, where an edge meets a cluster's inner node.
    vertices_rank = dict(rank)
    preds = {v: [] for v in units}
    succs = {v: [] for v in units}
    chains = []  # (src id, dst id, [dummies])
    for src, dst, a, b in edges:
        dummies = []
        if rank[dst] > rank[src]:
            previous, out = src, port(src, a)
            for r in range(rank[src] + 1, rank[dst]):
                dummy = _Dummy()
                vertices_rank[dummy] = r
                sizes[dummy] = (0.0, 0.0)
                preds[dummy], succs[dummy] = [], []
                succs[previous].append((dummy, 0.0, out))
                preds[dummy].append((previous, out, 0.0))
                dummies.append(dummy)
                previous, out = dummy, 0.0
            succs[previous].append((dst, port(dst, b), out))
            preds[dst].append((previous, out, port(dst, b)))
        chains.append((a, b, dummies))
    layers = [[] for _ in range(max(rank.values(), default=0) + 1)]
    for vertex, r in vertices_rank.items():
        layers[r].append(vertex)

    layers = _order(layers, preds, succs, sizes)
    across = _place_ranks(layers, preds, succs, sizes)

    # Along the ranks: each rank as thick as its thickest unit.
    thickness = [max((sizes[v][1] for v in layer), default=0.0)
                 for layer in layers]
    along, v = [], 0.0
    for r, t in enumerate(thickness):
        along.append(v + t / 2)
        v += t + _RANK_SEP
    content_v = v - _RANK_SEP if layers else 0.0
    low = min((across[x] - sizes[x][0] / 2 for x in across), default=0.0)
    high = max((across[x] + sizes[x][0] / 2 for x in across), default=0.0)
    content_u = high - low

    # Margins: a cluster's padding and the band of its name, at the top
    # of the picture (at the bottom for BT), as Graphviz places it.
    margin = {"u0": 0.0, "u1": 0.0, "v0": 0.0, "v1": 0.0}
    if not is_root:
        for side in margin:
            margin[side] = _CLUSTER_PAD
        margin["u0" if flipped else "v0"] += _CLUSTER_LABEL
        # The real width must hold the name.
        need = label_width[cluster.id] + 2 * _CLUSTER_PAD
        if flipped:
            grow = max(0.0, need - content_v - 2 * _CLUSTER_PAD) / 2
            margin["v0"] += grow
            margin["v1"] += grow
        else:
            grow = max(0.0, need - content_u - 2 * _CLUSTER_PAD) / 2
            margin["u0"] += grow
            margin["u1"] += grow
    centers = {}
    for vertex in vertices_rank:
        centers[vertex] = (across[vertex] - low + margin["u0"],
                           along[vertices_rank[vertex]] + margin["v0"])
    # An edge crosses a rank straight, over the rank's whole thickness, and
    # bends only between the ranks.
    routes = []
    for a, b, dummies in chains:
        bends = []
        for dummy in dummies:
            u, v = centers[dummy]
            half = thickness[vertices_rank[dummy]] / 2
            bends += [(u, v - half), (u, v + half)]
        routes.append((a, b, bends))
    size = (content_u + margin["u0"] + margin["u1"],
            content_v + margin["v0"] + margin["v1"])
    centers = {unit: centers[unit] for unit in units}
    return _Block(cluster, size, centers, children, routes)


def _rank(units, edges, is_root):
    """Longest path ranks, with the top level's sources pulled down and a
    cluster's sinks pushed to its last rank."""
    preds = {u: [] for u in units}
    succs = {u: [] for u in units}
    for s, d in edges:
        succs[s].append(d)
        preds[d].append(s)
    # Kahn's topological order, in layer order; a cycle (not made by a
    # functional model) is broken at its first unit.
    index = {u: i for i, u in enumerate(units)}
    waiting = {u: len(set(preds[u])) for u in units}
    order, done = [], set()
    while len(order) < len(units):
        ready = [u for u in units if u not in done and waiting[u] == 0]
        if not ready:
            ready = [min((u for u in units if u not in done),
                         key=index.get)]
        for u in ready:
            order.append(u)
            done.add(u)
            for d in set(succs[u]):
                waiting[d] -= 1
    rank = {}
    for u in order:
        rank[u] = max((rank[p] + 1 for p in preds[u] if p in rank),
                      default=0)
    if is_root:
        for u in reversed(order):
            if not preds[u] and succs[u]:
                rank[u] = max(0, min(rank[d] for d in succs[u]) - 1)
    else:
        last = max(rank.values(), default=0)
        for u in units:
            if not succs[u] and preds[u]:
                rank[u] = last
    return rank


def _order(layers, preds, succs, sizes):
    """Barycenter sweeps and neighbour swaps; the fewest crossings win.

    A neighbour's position is its index in its rank, plus its port as a
    fraction of its width (where on a cluster an edge arrives)."""

    def fraction(vertex, offset):
        return offset / sizes[vertex][0] if sizes[vertex][0] else 0.0

    best = [list(layer) for layer in layers]
    best_count = _crossings(best, succs, fraction)
    current = [list(layer) for layer in layers]
    for sweep in range(_ORDER_SWEEPS):
        if best_count == 0:
            break
        down = sweep % 2 == 0
        span = range(1, len(current)) if down else range(
            len(current) - 2, -1, -1)
        for r in span:
            other = current[r - 1] if down else current[r + 1]
            position = {v: i for i, v in enumerate(other)}
            neighbours = preds if down else succs
            keys = {}
            for i, v in enumerate(current[r]):
                near = [position[n] + fraction(n, off)
                        for n, off, _ in neighbours[v] if n in position]
                keys[v] = (sum(near) / len(near) if near else i, i)
            current[r].sort(key=keys.get)
        _transpose(current, preds, succs, fraction)
        count = _crossings(current, succs, fraction)
        if count < best_count:
            best, best_count = [list(layer) for layer in current], count
    return best


def _crossings(layers, succs, fraction):
    total = 0
    for r in range(len(layers) - 1):
        position = {v: i for i, v in enumerate(layers[r + 1])}
        ends = []
        for i, v in enumerate(layers[r]):
            ends += [(i + fraction(v, mine), position[d] + fraction(d, off))
                     for d, off, mine in succs[v] if d in position]
        ends.sort()
        for k, (a, b) in enumerate(ends):
            for a2, b2 in ends[k + 1:]:
                if a2 > a and b2 < b:
                    total += 1
    return total


def _pair_crossings(left, right, neighbours, position, fraction):
    """Crossings between the edges of ``left`` and ``right`` (in this order)
    and one adjacent rank."""
    total = 0
    for a, off_a, _ in neighbours[left]:
        for b, off_b, _ in neighbours[right]:
            if (a in position and b in position
                    and position[a] + fraction(a, off_a)
                    > position[b] + fraction(b, off_b)):
                total += 1
    return total


def _transpose(layers, preds, succs, fraction):
    """Swaps neighbours in a rank while that removes crossings."""
    for _ in range(4):
        improved = False
        for r, layer in enumerate(layers):
            above = {v: i for i, v in enumerate(layers[r - 1])} if r else {}
            below = ({v: i for i, v in enumerate(layers[r + 1])}
                     if r + 1 < len(layers) else {})
            for i in range(len(layer) - 1):
                a, b = layer[i], layer[i + 1]
                now = (_pair_crossings(a, b, preds, above, fraction)
                       + _pair_crossings(a, b, succs, below, fraction))
                swapped = (_pair_crossings(b, a, preds, above, fraction)
                           + _pair_crossings(b, a, succs, below, fraction))
                if swapped < now:
                    layer[i], layer[i + 1] = b, a
                    improved = True
        if not improved:
            break


def _place_ranks(layers, preds, succs, sizes):
    """Positions across the ranks: each vertex near the weighted mean of its
    neighbours (through the ports of their edges), the rank's order and
    separations kept."""

    def separation(a, b):
        dummies = isinstance(a, _Dummy) + isinstance(b, _Dummy)
        gap = (_NODE_SEP, _EDGE_SEP, _DUMMY_SEP)[dummies]
        return (sizes[a][0] + sizes[b][0]) / 2 + gap

    def weight(a, b):
        # Graphviz's weights: long edges (between dummies) pull hardest.
        dummies = isinstance(a, _Dummy) + isinstance(b, _Dummy)
        return (1.0, 2.0, 8.0)[dummies]

    x = {}
    for layer in layers:
        position = 0.0
        for i, v in enumerate(layer):
            if i:
                position += separation(layer[i - 1], v)
            x[v] = position
        for v in layer:
            x[v] -= position / 2
    for sweep in range(_PLACE_SWEEPS):
        span = range(len(layers)) if sweep % 2 == 0 else range(
            len(layers) - 1, -1, -1)
        for r in span:
            layer = layers[r]
            if not layer:
                continue
            targets, weights = [], []
            for v in layer:
                near = [(x[n] + off - mine, weight(v, n))
                        for n, off, mine in preds[v] + succs[v]]
                total = sum(w for _, w in near)
                if total:
                    targets.append(sum(p * w for p, w in near) / total)
                    weights.append(total)
                else:
                    targets.append(x[v])
                    weights.append(0.5)
            offsets = [0.0]
            for a, b in zip(layer, layer[1:]):
                offsets.append(offsets[-1] + separation(a, b))
            fitted = _isotonic([t - o for t, o in zip(targets, offsets)],
                               weights)
            for v, y, o in zip(layer, fitted, offsets):
                x[v] = y + o
    return x


def _isotonic(values, weights):
    """The non-decreasing sequence nearest to ``values`` (weighted least
    squares), by pooling adjacent violators."""
    blocks = []  # [weighted sum, weight, count]
    for value, w in zip(values, weights):
        blocks.append([value * w, w, 1])
        while (len(blocks) > 1
               and blocks[-2][0] / blocks[-2][1]
               > blocks[-1][0] / blocks[-1][1]):
            s, w2, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += w2
            blocks[-1][2] += n
    fitted = []
    for s, w, n in blocks:
        fitted += [s / w] * n
    return fitted


def _place(block, ou, ov, records, flipped, boxes, clusters, routes):
    """Absolute abstract boxes of the nodes and clusters, and the routes."""
    if block.cluster.id is not None:
        clusters.append((block.cluster, (ou, ov) + block.size))
    for unit, (u, v) in block.centers.items():
        if isinstance(unit, GraphCluster):
            child = block.children[unit]
            su, sv = child.size
            _place(child, ou + u - su / 2, ov + v - sv / 2, records, flipped,
                   boxes, clusters, routes)
        else:
            w, h = records[unit.id][:2]
            su, sv = (h, w) if flipped else (w, h)
            boxes[unit.id] = (ou + u - su / 2, ov + v - sv / 2, su, sv)
    for a, b, bends in block.routes:
        routes.append((a, b, [(ou + u, ov + v) for u, v in bends]))


def _edge_path(src, dst, bends):
    """A Bezier path from the bottom of ``src`` through ``bends`` to the
    arrowhead's base above ``dst`` (abstract coordinates), and the head."""
    start = (src[0] + src[2] / 2, src[1] + src[3])
    tip = (dst[0] + dst[2] / 2, dst[1])
    points = [start] + list(bends)
    if tip[1] - points[-1][1] > _ARROW:  # arrives along the rank axis
        base = (tip[0], tip[1] - _ARROW)
        points.append(base)
        curve = [points[0]]
        for (u0, v0), (u1, v1) in zip(points, points[1:]):
            half = (v1 - v0) / 2
            curve += [(u0, v0 + half), (u1, v1 - half), (u1, v1)]
        direction = (0.0, 1.0)
    else:  # against the flow (never for a functional model): straight
        du, dv = tip[0] - start[0], tip[1] - start[1]
        length = max((du * du + dv * dv) ** 0.5, 1e-9)
        direction = (du / length, dv / length)
        base = (tip[0] - _ARROW * direction[0],
                tip[1] - _ARROW * direction[1])
        curve = [start, start, base, base]
    normal = (-direction[1] * _ARROW_HALF, direction[0] * _ARROW_HALF)
    arrow = [(base[0] + normal[0], base[1] + normal[1]), tip,
             (base[0] - normal[0], base[1] - normal[1])]
    return curve, arrow


def _separators(corner, cells):
    """The lines between a record's cells: each cell's left and top sides
    that are not the record's own."""
    segments = []
    for x, y, w, h, _ in cells:
        if x > corner[0] + 0.01:
            segments.append([(x, y), (x, y + h)])
        if y > corner[1] + 0.01:
            segments.append([(x, y), (x + w, y)])
    return segments


# ----------------------------------------------------------------------
# SVG.


def _xml(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def _num(value):
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _points(points):
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def to_svg(root, rankdir="TB", dpi=96):
    """The SVG text of the graph ``root``, ``dpi / 72`` times its size in
    points (as Graphviz scales its SVG)."""
    plot = layout(root, rankdir)
    scale = dpi / 72.0
    width, height = plot.width, plot.height
    font = f'font-family="{FONT_FAMILY}"'
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        "<!-- Drawn by torchkeras.utils.plot_model -->",
        f'<svg width="{_num(width * scale)}pt" '
        f'height="{_num(height * scale)}pt" '
        f'viewBox="0.00 0.00 {width:.2f} {height:.2f}" '
        'xmlns="http://www.w3.org/2000/svg">',
        '<g id="graph0" class="graph">',
        "<title>G</title>",
        f'<polygon fill="white" stroke="none" points="'
        f'{_points([(0, 0), (width, 0), (width, height), (0, height)])}"/>',
    ]
    for i, (src, dst, curve, arrow) in enumerate(plot.edges, 1):
        path = f"M{_points(curve[:1])}C{_points(curve[1:])}"
        out += [
            f'<g id="edge{i}" class="edge">',
            f"<title>{_xml(src)}&#45;&gt;{_xml(dst)}</title>",
            f'<path fill="none" stroke="black" d="{path}"/>',
            f'<polygon fill="black" stroke="black" '
            f'points="{_points(arrow + arrow[:1])}"/>',
            "</g>",
        ]
    # The clusters after the edges: their names hide the edges crossing.
    for i, (cluster, (x, y, w, h), (lx, ly)) in enumerate(plot.clusters, 1):
        label = cluster.label or ""
        half = helvetica_width(label, CLUSTER_FONT_SIZE) / 2 + 2
        out += [
            f'<g id="clust{i}" class="cluster">',
            f"<title>cluster_{_xml(cluster.id)}</title>",
            f'<rect fill="none" stroke="black" stroke-dasharray="5,2" '
            f'x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" '
            f'height="{_num(h)}" rx="6" ry="6"/>',
            f'<rect fill="white" stroke="none" x="{_num(lx - half)}" '
            f'y="{_num(ly - 9)}" width="{_num(2 * half)}" height="18"/>',
            f'<text text-anchor="middle" x="{_num(lx)}" '
            f'y="{_num(ly + 0.35 * CLUSTER_FONT_SIZE)}" '
            f'{font} font-size="{CLUSTER_FONT_SIZE:.2f}">'
            f"{_xml(label)}</text>",
            "</g>",
        ]
    for i, (node, (x, y, w, h), cells) in enumerate(plot.nodes.values(), 1):
        out += [
            f'<g id="node{i}" class="node">',
            f"<title>{_xml(node.id)}</title>",
            f'<polygon fill="white" stroke="black" points="'
            f'{_points([(x, y), (x + w, y), (x + w, y + h), (x, y + h)])}'
            f'"/>',
        ]
        for segment in _separators((x, y), cells):
            out.append(f'<polyline fill="none" stroke="black" points="'
                       f'{_points(segment)}"/>')
        for cx, cy, cw, ch, text in cells:
            out.append(
                f'<text text-anchor="middle" x="{_num(cx + cw / 2)}" '
                f'y="{_num(cy + ch / 2 + 0.35 * FONT_SIZE)}" {font} '
                f'font-size="{FONT_SIZE:.2f}">{_xml(text)}</text>')
        out.append("</g>")
    out += ["</g>", "</svg>", ""]
    return "\n".join(out)


# ----------------------------------------------------------------------
# matplotlib.

# What matplotlib's Agg canvas writes, where matplotlib may be missing.
IMAGE_FORMATS = ("png", "pdf", "jpg", "jpeg", "tif", "tiff", "webp", "gif",
                 "eps", "ps")


def image_formats():
    """The formats ``to_image`` writes here (needs matplotlib)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    supported = FigureCanvasAgg.get_supported_filetypes()
    return tuple(f for f in IMAGE_FORMATS if f in supported)


def to_image(root, format="png", rankdir="TB", dpi=96):  # noqa: A002
    """The graph drawn by matplotlib (Agg), as the bytes of a ``format``
    file; ``dpi`` sets the pixel size of raster formats."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import FancyBboxPatch
    from matplotlib.patches import PathPatch
    from matplotlib.patches import Polygon
    from matplotlib.path import Path
    from matplotlib.textpath import TextToPath
    from matplotlib.transforms import Bbox

    fonts = {}

    def font(size):
        if size not in fonts:
            fonts[size] = FontProperties(family="sans-serif", size=size)
        return fonts[size]

    widths = TextToPath()

    def measure(text, size):
        if not text:
            return 0.0
        w, _, _ = widths.get_text_width_height_descent(text, font(size),
                                                       ismath=False)
        return w

    plot = layout(root, rankdir, measure)
    width, height = plot.width, plot.height
    fig = Figure(figsize=(width / 72.0, height / 72.0), dpi=dpi,
                 facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    ax.patch.set_visible(False)
    line = dict(edgecolor="black", linewidth=0.75)
    text_style = dict(ha="center", va="center", color="black",
                      usetex=False, parse_math=False)
    for cluster, (x, y, w, h), (lx, ly) in plot.clusters:
        ax.add_patch(FancyBboxPatch(
            (x, y), w, h, boxstyle="round,pad=0,rounding_size=6",
            facecolor="none", linestyle=(0, (5, 2)), zorder=1, **line))
        ax.text(lx, ly, cluster.label or "",
                fontproperties=font(CLUSTER_FONT_SIZE), zorder=1.5,
                bbox=dict(facecolor="white", edgecolor="none", pad=1),
                **text_style)
    for _, _, curve, arrow in plot.edges:
        codes = [Path.MOVETO] + [Path.CURVE4] * (len(curve) - 1)
        ax.add_patch(PathPatch(Path(curve, codes), facecolor="none",
                               zorder=1.2, **line))
        ax.add_patch(Polygon(arrow, closed=True, facecolor="black",
                             zorder=1.2, **line))
    boxes, separators = [], []
    for node, (x, y, w, h), cells in plot.nodes.values():
        boxes.append([(x, y), (x + w, y), (x + w, y + h), (x, y + h)])
        separators += _separators((x, y), cells)
        for cx, cy, cw, ch, text in cells:
            ax.text(cx + cw / 2, cy + ch / 2, text, fontproperties=font(
                FONT_SIZE), zorder=4, **text_style)
    ax.add_collection(PolyCollection(boxes, facecolors="white", zorder=2,
                                     edgecolors="black", linewidths=0.75))
    ax.add_collection(LineCollection(separators, colors="black",
                                     linewidths=0.75, zorder=3))
    buffer = io.BytesIO()
    fig.savefig(buffer, format=format, dpi=dpi, facecolor="white",
                edgecolor="white", transparent=False,
                bbox_inches=Bbox.from_bounds(0, 0, width / 72.0,
                                             height / 72.0))
    return buffer.getvalue()
