"""Name helpers shared by layers, losses, metrics and saving."""

import re


def to_snake_case(name):
    """Converts a CamelCase name to snake_case.

    A result that would start with `_` is prefixed with `private`.

    Args:
        name: A class name such as `"BatchNormalization"`.

    Returns:
        The snake-case string.

    Examples:
        >>> keras.constraints.to_snake_case("BatchNormalization")
        'batch_normalization'
    """
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    if insecure[0] != "_":
        return insecure
    return "private" + insecure
