"""The symbolic graph of the functional API: KerasTensor and Node."""
