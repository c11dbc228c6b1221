"""Where EQTransformer's decoders crop, for the original Keras model and for SeisBench's variant.

The encoder halves the length seven times with ``MaxPooling1D(2, "same")`` (an odd length is rounded
up); each decoder doubles it seven times with ``UpSampling1D(2)``, so the decoder must drop samples
somewhere to end at the input length. Two rules exist:

- ``"original"`` (Mousavi et al.'s Keras model, and SeisBench's ``original_compatible`` models): one
  sample at each end after the fourth upsampling (``Cropping1D((1, 1))``: 752 -> 750 for 6000 input
  samples); only correct when that gives back the input length (6000 samples).
- ``"trailing"`` (SeisBench's own architecture, ``original_compatible=False``): the last sample after
  every upsampling that undoes an encoder level whose input length was odd (6000: after the third
  upsampling, 376 -> 375); correct for any input length.

Example:
    >>> decoder_crops(6000, "original")
    {3: (1, 1)}
    >>> decoder_crops(6000, "trailing")
    {2: (0, 1)}
"""

from __future__ import annotations

DECODER_CROPS = ("original", "trailing")


def encoder_lengths(input_samples: int, levels: int) -> list[int]:
    """The sequence length entering each of the ``levels`` encoder levels, then the encoding's."""
    lengths = [input_samples]
    for _ in range(levels):
        lengths.append((lengths[-1] + 1) // 2)
    return lengths


def decoder_crops(input_samples: int, decoder_crop: str, levels: int = 7) -> dict[int, tuple[int, int]]:
    """Upsampling step (0-based) -> samples ``(left, right)`` cropped right after it.

    Raises:
        ValueError: an unknown rule, or the ``"original"`` rule for an input length it does not fit.
    """
    if decoder_crop not in DECODER_CROPS:
        raise ValueError(f"decoder_crop must be one of {list(DECODER_CROPS)}, got {decoder_crop!r}.")
    lengths = encoder_lengths(input_samples, levels)
    if decoder_crop == "original":
        crops = {3: (1, 1)}
    else:
        crops = {levels - 1 - i: (0, 1) for i, length in enumerate(lengths[:-1]) if length % 2}
    length = lengths[-1]
    for step in range(levels):
        length = 2 * length - sum(crops.get(step, (0, 0)))
    if length != input_samples:
        raise ValueError(
            f"decoder_crop={decoder_crop!r} gives {length} output samples for {input_samples} input samples; "
            "the 'original' crop fits 6000 samples only (use 'trailing' for other window lengths)."
        )
    return crops
