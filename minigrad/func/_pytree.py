"""Pytrees: nested tuples, lists and dicts with tensors (or anything else) at the leaves.

The transforms take and return such nests, as torch.func does: grad(f)(params) with params
a dict of tensors gives a dict of gradients. Each transform flattens a nest into its leaves
and a description of the nest (its spec), works on the flat list, and rebuilds the nest.

A spec is None for a leaf, or (container type, keys, child specs) for a tuple, list or dict
(keys: a dict's keys in order, None for the sequences). A named tuple (as max(dim) returns,
values and indices) is a container too, rebuilt as its own type.
"""

CONTAINERS = (tuple, list, dict)


def _is_named_tuple(tree):
    return isinstance(tree, tuple) and hasattr(type(tree), "_fields")


def flatten(tree):
    """(the leaves of `tree` in order, its spec)."""
    leaves = []
    return leaves, _flatten_into(tree, leaves)


def _flatten_into(tree, leaves):
    if type(tree) in (tuple, list) or _is_named_tuple(tree):
        return type(tree), None, [_flatten_into(child, leaves) for child in tree]
    if type(tree) is dict:
        return dict, list(tree), [_flatten_into(child, leaves) for child in tree.values()]
    leaves.append(tree)
    return None


def unflatten(leaves, spec):
    """The nest described by `spec`, filled with `leaves` in order (the inverse of flatten)."""
    leaves = iter(leaves)
    return _build(spec, leaves)


def _build(spec, leaves):
    if spec is None:
        return next(leaves)
    kind, keys, children = spec
    built = [_build(child, leaves) for child in children]
    if kind is dict:
        return dict(zip(keys, built))
    return kind(*built) if hasattr(kind, "_fields") else kind(built)


def tree_map(function, tree):
    """`tree` with `function` applied to each leaf."""
    leaves, spec = flatten(tree)
    return unflatten([function(leaf) for leaf in leaves], spec)


def describe(spec):
    """A spec written out for an error message: * for a leaf, (..), [..] and {key: ..} for the containers."""
    if spec is None:
        return "*"
    kind, keys, children = spec
    inner = [describe(child) for child in children]
    if kind is dict:
        return "{" + ", ".join(f"{key!r}: {text}" for key, text in zip(keys, inner)) + "}"
    if kind is tuple:
        return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
    if kind is not list:
        return kind.__name__ + "(" + ", ".join(inner) + ")"
    return "[" + ", ".join(inner) + "]"


def broadcast_prefix(prefix, spec):
    """One value per leaf of the nest `spec`, taken from `prefix`: a nest that matches the top of
    `spec`, each of whose leaves stands for the whole subtree below it (vmap's in_dims=0 means 0
    for every tensor of every argument). None when `prefix` does not fit `spec`."""
    if type(prefix) not in CONTAINERS:
        return [prefix] * count_leaves(spec)
    if spec is None:
        return None
    kind, keys, children = spec
    if type(prefix) is not kind or len(prefix) != len(children):
        return None
    if kind is dict and set(prefix) != set(keys):
        return None
    parts = [prefix[key] for key in keys] if kind is dict else list(prefix)
    values = []
    for part, child in zip(parts, children):
        below = broadcast_prefix(part, child)
        if below is None:
            return None
        values += below
    return values


def count_leaves(spec):
    if spec is None:
        return 1
    return sum(count_leaves(child) for child in spec[2])
