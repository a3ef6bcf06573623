"""Activation layers with parameters: ReLU, LeakyReLU, PReLU, ELU, Softmax.

The functions themselves live in ``torchkeras.activations``; these layers
hold their arguments (and PReLU its learned slopes).
"""
