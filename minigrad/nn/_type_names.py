"""torch's names for scalar types ("Float", "Long", ...), which its error messages use."""

_SCALAR_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                      "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def scalar_type_name(numpy_dtype):
    """torch's name of a NumPy dtype: 'Float' for float32, 'Long' for int64 (NumPy's name if torch has none)."""
    return _SCALAR_TYPE_NAMES.get(numpy_dtype.name, numpy_dtype.name)
