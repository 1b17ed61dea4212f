"""Reading plotly figures in tests: plotly writes numeric arrays as base64 typed arrays ({"dtype", "bdata"})."""

from __future__ import annotations

import base64
import json

import numpy as np


def _decode_arrays(node):
    if isinstance(node, dict):
        if set(node) >= {"dtype", "bdata"}:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            if "shape" in node:
                values = values.reshape([int(n) for n in str(node["shape"]).split(",")])
            return values.tolist()
        return {key: _decode_arrays(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_decode_arrays(value) for value in node]
    return node


def figure_json(spec: str) -> dict:
    """A chart's figure as plain JSON (arrays as lists), from AppTest's proto spec or fig.to_json()."""
    return _decode_arrays(json.loads(spec))
