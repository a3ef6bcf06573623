"""The training engine: Model, Sequential, the functional graph, fit."""
