"""Argument checks shared by the activity indices: shape and index alignment, scales, plausibility.

Every index function accepts scalars, arrays or Series (see the package docstring); these helpers turn
them into float arrays after checking each value, and give the result back in the caller's form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Plausibility limits (inclusive) for measured quantities. They are not part of any index:
# they only reject values no living adult can have, which in practice are unit errors.
PLAUSIBLE_LIMITS = {
    "hematocrit_pct": (10.0, 75.0),  # a fraction (0.42) instead of a percentage fails
    "weight_kg": (1.0, 500.0),
    "standard_weight_kg": (1.0, 500.0),
    "pulse_bpm": (20.0, 300.0),
    "temperature_c": (30.0, 45.0),  # Fahrenheit (98.6) fails
    "hemoglobin_g_dl": (2.0, 25.0),  # g/L (115) fails
    "esr_mm_h": (0.0, 200.0),  # a Westergren tube is 200 mm long
}


@dataclass(frozen=True)
class Layout:
    """Common shape of the non-scalar arguments, and the index of any Series among them."""

    shape: tuple[int, ...]
    index: pd.Index | None


def argument_layout(**arguments: object) -> Layout:
    shape: tuple[int, ...] = ()
    shape_owner = None
    index = None
    index_owner = None
    for name, values in arguments.items():
        if isinstance(values, pd.Series):
            if index is None:
                index, index_owner = values.index, name
            elif not values.index.equals(index):
                raise ValueError(f"{name} has a different index from {index_owner}")
        this_shape = np.shape(values)
        if this_shape == ():
            continue
        if shape_owner is None:
            shape, shape_owner = this_shape, name
        elif this_shape != shape:
            raise ValueError(f"{name} has shape {this_shape}, which does not match {shape_owner} {shape}")
    return Layout(shape, index)


def wrap_result(result: np.ndarray, layout: Layout, name: str) -> object:
    """Give ``result`` the caller's form: Python scalar, numpy array or indexed Series."""
    result = np.broadcast_to(result, layout.shape)
    if layout.shape == ():
        return result.item()
    if layout.index is not None:
        return pd.Series(np.array(result), index=layout.index, name=name)
    return np.array(result)


def as_float(name: str, values: object) -> np.ndarray:
    try:
        if isinstance(values, pd.Series):
            # nullable pandas dtypes hold pd.NA, which numpy cannot cast without na_value
            return values.to_numpy(dtype=float, na_value=np.nan)
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric; got {values!r}") from error


def check_scale(name: str, values: object, lo: float, hi: float, *, integer: bool = True) -> np.ndarray:
    """Return ``values`` as floats after checking every one is present and in [lo, hi]."""
    array = as_float(name, values)
    if np.isnan(array).any():
        raise ValueError(f"{name} has a missing (NaN/None) value; every value is required")
    outside = (array < lo) | (array > hi)
    if outside.any():
        kind = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {kind} in [{lo:g}, {hi:g}]; got {array[outside][0]:g}")
    if integer:
        fractional = array != np.floor(array)
        if fractional.any():
            raise ValueError(f"{name} must be a whole number; got {array[fractional][0]:g}")
    return array


def check_choices(name: str, values: object, allowed: tuple[float, ...]) -> np.ndarray:
    array = check_scale(name, values, min(allowed), max(allowed))
    unknown = ~np.isin(array, allowed)
    if unknown.any():
        raise ValueError(f"{name} must be one of {allowed}; got {array[unknown][0]:g}")
    return array


def check_plausible(name: str, values: object) -> np.ndarray:
    lo, hi = PLAUSIBLE_LIMITS[name]
    return check_scale(name, values, lo, hi, integer=False)


def check_sex(name: str, values: object) -> np.ndarray:
    """Return a boolean array, True for "M"; every value must be "M" or "F"."""
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object, na_value=None)
    array = np.asarray(values)
    if array.dtype.kind not in "UO":
        raise ValueError(f'{name} must be "M" or "F"; got {values!r}')
    try:
        is_male = array == "M"
        is_female = array == "F"
    except TypeError as error:  # e.g. pd.NA inside a plain list
        raise ValueError(f'{name} must be "M" or "F" with no missing values') from error
    unknown = ~(is_male | is_female)
    if np.any(unknown):
        raise ValueError(f'{name} must be "M" or "F"; got {array[unknown].tolist()[0]!r}')
    return np.asarray(is_male)
