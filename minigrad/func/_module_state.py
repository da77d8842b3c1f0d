"""functional_call and stack_module_state: a module's forward as a function of its tensors.

The transforms differentiate functions of tensors, while a module keeps its parameters inside.
functional_call(model, params, args) runs model(*args) with the tensors of `params` standing in
for the model's own parameters and buffers (by their state_dict names), so that
grad(lambda p: loss(functional_call(model, p, (x,))))(params) is the gradient with respect to
`params`. stack_module_state stacks the tensors of several same-shaped models, for vmap to map
an ensemble over them.
"""

import contextlib

from minigrad.functions import stack


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """module(*args, **kwargs) with the given tensors in place of its parameters and buffers,
    which are put back afterwards (also when forward raises).

    parameter_and_buffer_dicts: a dict {dotted name: tensor}, or a list/tuple of such dicts with
    no name in two of them. tie_weights: a tensor given for one of several names that share one
    parameter (tied weights) stands in for all of them. strict: every parameter and buffer must
    be given, and nothing else. A name the module does not have is set as a plain attribute for
    the call. args: a tuple of positional arguments, or one argument.
    """
    tensors = _merged(parameter_and_buffer_dicts)
    tensors = _with_tied_names(module, tensors) if tie_weights else tensors
    if strict:
        _check_strict(module, tensors)
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _substituted(module, tensors):
        return module(*args, **(kwargs or {}))


def _merged(dicts):
    """One dict from a dict or a list/tuple of dicts that share no name."""
    if isinstance(dicts, dict):
        return dict(dicts)
    if not isinstance(dicts, (list, tuple)):
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(dicts)}")
    if not all(isinstance(d, dict) for d in dicts):
        raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
    merged = {}
    for d in dicts:
        repeated = [name for name in d if name in merged]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is ambiguous")
        merged.update(d)
    return merged


def _tensor_names(module):
    """{dotted name: the parameter or buffer} for every name, tied names included."""
    return dict(list(module.named_parameters(remove_duplicate=False))
                + list(module.named_buffers(remove_duplicate=False)))


def _with_tied_names(module, tensors):
    """tensors, with the tensor given for a tied name also given for the names tied to it."""
    names = _tensor_names(module)
    groups = {}
    for name, tensor in names.items():
        groups.setdefault(id(tensor), []).append(name)
    tensors = dict(tensors)
    for group in groups.values():
        given = [name for name in group if name in tensors]
        if len(given) > 1:
            raise ValueError(f"functional_call got multiple values for keys {given}, which are tied. Consider using "
                             "tie_weights=False")
        if given:
            tensors.update({name: tensors[given[0]] for name in group})
    return tensors


def _check_strict(module, tensors):
    """In strict mode the given names must be exactly the module's parameters and buffers."""
    names = _tensor_names(module)
    unexpected = sorted(set(tensors) - set(names))
    missing = sorted(set(names) - set(tensors))
    if unexpected or missing:
        lines = [f"Error(s) in reparametrizing for {type(module).__name__}:"]
        if unexpected:
            lines.append("\tUnexpected key(s): " + ", ".join(f"'{name}'" for name in unexpected) + ".")
        if missing:
            lines.append("\tMissing key(s): " + ", ".join(f"'{name}'" for name in missing) + ".")
        raise RuntimeError("\n".join(lines))


@contextlib.contextmanager
def _substituted(module, tensors):
    """Within the block, each dotted name of `tensors` gives its tensor: put in the table of
    parameters or buffers of its submodule, or set as a plain attribute if neither has it."""
    restore = []  # (table, name in it, what was there: a tensor, None, or _ABSENT)
    try:
        for name, tensor in tensors.items():
            path, _, attribute = name.rpartition(".")
            owner = module.get_submodule(path)
            table = next((t for t in (owner._parameters, owner._buffers) if attribute in t), owner.__dict__)
            restore.append((table, attribute, table.get(attribute, _ABSENT)))
            table[attribute] = tensor
        yield
    finally:
        for table, attribute, original in reversed(restore):
            if original is _ABSENT:
                del table[attribute]
            else:
                table[attribute] = original


_ABSENT = object()


def stack_module_state(models):
    """(params, buffers) of models that share one structure: each name maps to the models'
    tensors stacked along a new first dimension. A stacked parameter is a new leaf that requires
    grad (if the models' do), a stacked buffer a plain tensor."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({model.training for model in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")

    def stacked(named):
        tables = [dict(named(model)) for model in models]
        return {name: stack([table[name].detach() for table in tables]).requires_grad_(first.requires_grad)
                for name, first in tables[0].items()}
    return stacked(lambda m: m.named_parameters()), stacked(lambda m: m.named_buffers())
