"""The shape of the code: imports only point down, and the table of primitives is complete.

minigrad is layered as `_ops` (the math) -> `autograd` (record and walk) -> `_tensor` (the
methods of Tensor, by family) -> `tensor` (the shell) -> `nn`, `optim`, `utils` -> `pillars`. These tests read the source with `ast`, so
they see every import, including those inside functions that run only when called.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules(package):
    """{dotted module name: path} for every .py file of `package`."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported_names(path, module):
    """Every dotted name an import statement in the file brings in, at any depth of the file,
    with relative imports resolved against `module`: `from a.b import c` gives "a.b.c"."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from pkg import module` names the module, `from module import name` a name in it
            names += [f"{base}.{alias.name}" for alias in node.names]
    return names


def _import_graph(package="minigrad", package_inits=True):
    """{module: the package's modules it imports}: a name `a.b.c` counts as the longest
    module of the package it starts with. Importing `a.b.c` also runs the `__init__` of the
    package `a.b`, so with `package_inits` that counts too, unless the importer is inside
    `a.b` itself."""
    modules = _modules(package)
    graph = {}
    for module, path in modules.items():
        targets = set()
        for name in _imported_names(path, module):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
            parent = name.rpartition(".")[0] if package_inits else ""
            while parent and not module.startswith(parent + "."):
                targets.add(parent)
                parent = parent.rpartition(".")[0]
        graph[module] = targets
    return graph


def _circles(graph):
    """The import circles of `graph`: its strongly connected components of more than one module
    (Tarjan's algorithm, written iteratively)."""
    index, low, on_stack, stack, circles = {}, {}, set(), [], []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == module:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return circles


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def _assert_no_circle(graph):
    circles = _circles(graph)
    assert not circles, "import circles (each line: the modules of one circle):\n" + "\n".join(
        ", ".join(circle) for circle in circles)


def test_no_import_circle_between_minigrad_files():
    _assert_no_circle(_import_graph(package_inits=False))


def test_no_import_circle_in_minigrad_counting_package_inits():
    """What Python really runs: `from minigrad.autograd import engine` first runs autograd/__init__.py."""
    _assert_no_circle(_import_graph())


def test_the_layers_above_tensor_import_only_downward():
    """With the imports of tensor.py and autograd/ set aside, nothing imports back up: creation,
    functions, nn, optim, utils and the rest are stacked on top of tensor without a circle."""
    graph = _import_graph()
    core = {m for m in graph if m == "minigrad.tensor" or m.split(".")[:2] == ["minigrad", "autograd"]}
    _assert_no_circle({module: set() if module in core else targets for module, targets in graph.items()})


def test_the_math_imports_neither_tensor_nor_autograd():
    graph = _import_graph()
    for module, targets in graph.items():
        if module.startswith("minigrad._ops"):
            upward = {t for t in targets if not t.startswith("minigrad._ops")}
            assert not upward, f"{module} imports {sorted(upward)}: _ops works on NumPy arrays only"


def test_the_method_families_import_nothing_that_imports_tensor():
    """minigrad._tensor sits between autograd and tensor: its modules get the Tensor class handed
    over (use_tensor_type), and import neither tensor.py nor anything that leads back to it."""
    graph = _import_graph()
    for module in (m for m in graph if m.startswith("minigrad._tensor")):
        reached, todo = set(), [module]
        while todo:
            for target in graph[todo.pop()] - reached:
                reached.add(target)
                todo.append(target)
        assert "minigrad.tensor" not in reached, f"{module} leads to minigrad.tensor through its imports"


def test_pillars_uses_only_the_public_api():
    """A pillar can be pasted into a torch notebook: it names nothing private of minigrad
    (a module or a name starting with one underscore)."""
    for module, path in _modules("pillars").items():
        private = sorted(name for name in _imported_names(path, module)
                         if name.split(".")[0] == "minigrad"
                         and any(part.startswith("_") and not part.startswith("__") for part in name.split(".")))
        assert not private, f"{module} imports minigrad's private {private}"


def test_every_family_of_primitives_is_registered_by_the_package():
    """`import minigrad._ops` imports every family, so REGISTRY lists every primitive."""
    folder = ROOT / "minigrad" / "_ops"
    families = {path.stem for path in folder.glob("*.py")} - {"__init__", "registry", "workspace", "layout"}  # not families
    imported = {name.rpartition(".")[2] for name in _imported_names(folder / "__init__.py", "minigrad._ops")}
    assert families <= imported, f"minigrad._ops/__init__.py does not import {sorted(families - imported)}"


def _defined_names(path):
    """The names a module defines at its top level (not those it imports)."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def test_private_helpers_are_imported_from_their_homes():
    """`from minigrad.x import _helper` names the module that defines _helper, never one that
    merely imported it (tensor.py imports _dim from _arguments.py: take it from there)."""
    modules = _modules("minigrad")
    defined = {module: _defined_names(path) for module, path in modules.items()}
    passed_on = []
    for module, path in {**modules, **_modules("pillars")}.items():
        for name in _imported_names(path, module):
            home, _, helper = name.rpartition(".")
            if helper.startswith("_") and not helper.startswith("__") and home in defined and name not in modules:
                if helper not in defined[home]:
                    passed_on.append(f"{module} imports {helper} through {home}")
    assert not passed_on, "\n".join(passed_on)
