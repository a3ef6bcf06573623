"""Trainer mixin (placeholder until the engine lands)."""


class Trainer:
    def __init__(self):
        self.compiled = False
