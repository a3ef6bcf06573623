"""Core layers: Input, Dense, Activation, Embedding, Lambda, Masking."""
