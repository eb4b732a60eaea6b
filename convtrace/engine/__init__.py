"""The computation: the naive loop (the lesson itself), the vectorized engine, gradients and im2col. Nothing here prints."""
