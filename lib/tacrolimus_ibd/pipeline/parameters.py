"""Parameters: each notebook's parameters cell with its declared types, and the check of given values
before anything runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Parameter:
    """A parameter declared by a notebook's ``parameters`` cell (``name: type = default  # help``)."""

    name: str
    type_name: str
    help: str = ""

    @property
    def allowed_values(self) -> tuple[str, ...] | None:
        """The values a ``(one of: a, b)`` note in the help text allows, if any."""
        found = re.search(r"\(one of: ([^)]*)\)", self.help)
        return tuple(v.strip().strip("\"'") for v in found.group(1).split(",")) if found else None

    def problem(self, value) -> str | None:
        """Why ``value`` does not fit this parameter's declared type, or None."""
        accepted = _accepted_types(self.type_name)
        if accepted is None:
            return f"declares no type ({self.type_name!r}); annotate it in the parameters cell"
        fits = value is None and type(None) in accepted
        if value is not None:
            for kind in accepted:
                if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
                    fits = True  # an int is accepted for a float
                elif kind is int and isinstance(value, int) and not isinstance(value, bool):
                    fits = True
                elif kind in (bool, str, list) and isinstance(value, kind):
                    fits = True
        if not fits:
            return f"expected {self.type_name}, got {value!r} ({type(value).__name__})"
        allowed = self.allowed_values
        if allowed is not None and value is not None and str(value) not in allowed:
            return f"expected one of {', '.join(allowed)}, got {value!r}"
        return None


def _accepted_types(type_name: str) -> tuple[type, ...] | None:
    kinds = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "None": type(None)}
    name = type_name.replace(" ", "")
    optional = re.fullmatch(r"Optional\[(.+)\]", name)
    parts = [optional.group(1), "None"] if optional else name.split("|")
    accepted = []
    for part in parts:
        base = re.sub(r"\[.*\]$", "", part)
        if base not in kinds:
            return None
        accepted.append(kinds[base])
    return tuple(accepted)


def declared_parameters(notebooks: list[Path]) -> dict[str, dict[str, Parameter]]:
    """The parameters each notebook's ``parameters`` cell declares, by notebook file name."""
    import papermill

    return {
        nb.name: {
            name: Parameter(name, str(info.get("inferred_type_name") or "None"), str(info.get("help") or ""))
            for name, info in papermill.inspect_notebook(str(nb)).items()
        }
        for nb in notebooks
    }


#: Parameters the engine sets for every notebook: never given by the user.
RESERVED = ("output_dir",)


def parameter_problems(run: str, values: dict, declared: dict[str, dict[str, Parameter]]) -> list[str]:
    """Every problem of ``values`` for the notebooks: an undeclared name or a value of the wrong type."""
    problems = []
    known: dict[str, Parameter] = {}
    for params in declared.values():
        for name, param in params.items():
            known.setdefault(name, param)
    for name in sorted(values):
        if name in RESERVED:
            problems.append(f"{run}: parameter {name!r} is set by the run itself, not by the user")
        elif name == "data_dir":
            problems.append(
                f"{run}: parameter 'data_dir' is given as the data folder (reproduce --data-dir, or data_dir: in a batch file), which is validated first"
            )
        elif name not in known:
            names = ", ".join(sorted(set(known) - set(RESERVED) - {"data_dir"})) or "none besides data_dir"
            problems.append(
                f"{run}: parameter {name!r} is declared by no notebook's parameters cell (declared: {names})"
            )
        else:
            for nb, params in sorted(declared.items()):
                problem = params[name].problem(values[name]) if name in params else None
                if problem:
                    problems.append(f"{run}: parameter {name!r} ({nb}): {problem}")
                    break
    return problems
