"""The exceptions that saving and loading raise.

Every one names the file and the part of it that is wrong (a layer, a
weight, a header field), so that a user who meets one knows which file to
fix or re-export. All are ``ValueError`` subclasses, as Keras raises
``ValueError`` for bad files, so existing ``except ValueError`` code works.
"""

from torchkeras.utils.registry import keras_export


@keras_export("keras.saving.SavingError")
class SavingError(ValueError):
    """Base class: a file could not be written or read.

    Args:
        filepath: The file concerned.
        message: What is wrong with it.

    Attributes:
        filepath: the file concerned (a string).

    Examples:
        >>> open("empty.keras", "w").close()
        >>> try:
        ...     keras.models.load_model("empty.keras")
        ... except keras.saving.SavingError as error:
        ...     print(type(error).__name__, error.filepath)
        FileFormatError empty.keras
    """

    def __init__(self, filepath, message):
        self.filepath = str(filepath)
        super().__init__(f"File '{self.filepath}': {message}")


@keras_export("keras.saving.FileFormatError")
class FileFormatError(SavingError):
    """The file is empty, truncated, foreign or structurally malformed.

    Args:
        filepath: The file concerned.
        message: What is wrong with it.

    Examples:
        >>> error = keras.saving.FileFormatError(
        ...     "model.keras", "the file is empty.")
        >>> str(error)
        "File 'model.keras': the file is empty."
        >>> isinstance(error, keras.saving.SavingError)
        True
        >>> isinstance(error, ValueError)
        True
    """


@keras_export("keras.saving.IntegrityError")
class IntegrityError(SavingError):
    """A stored checksum does not match the data read (a flipped byte).

    Args:
        filepath: The file concerned.
        message: What is wrong with it.

    Examples:
        >>> error = keras.saving.IntegrityError(
        ...     "model.keras", "a checksum does not match.")
        >>> str(error)
        "File 'model.keras': a checksum does not match."
        >>> isinstance(error, keras.saving.SavingError)
        True
        >>> isinstance(error, ValueError)
        True
    """


@keras_export("keras.saving.WeightMismatchError")
class WeightMismatchError(SavingError):
    """The file does not fit the model: a missing or extra layer or weight,
    or a shape that differs (named with expected and received values).

    Args:
        filepath: The file concerned.
        message: What is wrong with it.

    Examples:
        >>> error = keras.saving.WeightMismatchError(
        ...     "model.keras", "a layer is missing.")
        >>> str(error)
        "File 'model.keras': a layer is missing."
        >>> isinstance(error, keras.saving.SavingError)
        True
        >>> isinstance(error, ValueError)
        True
    """


@keras_export("keras.saving.UnsafeFileError")
class UnsafeFileError(SavingError):
    """Loading would need code from the file (a Lambda under safe_mode).

    Args:
        filepath: The file concerned.
        message: What is wrong with it.

    Examples:
        >>> error = keras.saving.UnsafeFileError(
        ...     "model.keras", "it holds a Lambda layer.")
        >>> str(error)
        "File 'model.keras': it holds a Lambda layer."
        >>> isinstance(error, keras.saving.SavingError)
        True
        >>> isinstance(error, ValueError)
        True
    """
