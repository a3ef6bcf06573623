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

    Attributes:
        filepath: the file concerned (a string).
    """

    def __init__(self, filepath, message):
        self.filepath = str(filepath)
        super().__init__(f"File '{self.filepath}': {message}")


@keras_export("keras.saving.FileFormatError")
class FileFormatError(SavingError):
    """The file is empty, truncated, foreign or structurally malformed."""


@keras_export("keras.saving.IntegrityError")
class IntegrityError(SavingError):
    """A stored checksum does not match the data read (a flipped byte)."""


@keras_export("keras.saving.WeightMismatchError")
class WeightMismatchError(SavingError):
    """The file does not fit the model: a missing or extra layer or weight,
    or a shape that differs (named with expected and received values)."""


@keras_export("keras.saving.UnsafeFileError")
class UnsafeFileError(SavingError):
    """Loading would need code from the file (a Lambda under safe_mode)."""
