"""Give a pocketsphinx decoder the stock English LM interpolated with the front-desk LM.

pocketsphinx can interpolate n-gram models at run time (`ngram_model_set_init`
with weights) but its Python binding does not expose it, so this module calls
the exported C functions of the binding's own shared library through ctypes.
It needs the decoder's C handle, which the Cython `Decoder` object stores as
its first field; the layout is checked first and `mix_frontdesk_lm` returns
False (the caller keeps the stock model) when it does not match.
"""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path

_VP = ctypes.c_void_p
_NGRAM_AUTO = 0
_SEARCH_NAME = b"frontdesk_mix"
_EXPECTED_DECODER_BASICSIZE = 32  # PyObject header (16) + ps_decoder_t* + Config


@functools.cache
def _library() -> ctypes.CDLL:
    from pocketsphinx import _pocketsphinx

    lib = ctypes.CDLL(_pocketsphinx.__file__)
    signatures = {
        "ps_get_config": ([_VP], _VP),
        "ps_get_logmath": ([_VP], _VP),
        "ps_get_n_frames": ([_VP], ctypes.c_int),
        "ngram_model_read": ([_VP, ctypes.c_char_p, ctypes.c_int, _VP], _VP),
        "ngram_model_set_init": (
            [
                _VP,
                ctypes.POINTER(_VP),
                ctypes.POINTER(ctypes.c_char_p),
                ctypes.POINTER(ctypes.c_float),
                ctypes.c_int,
            ],
            _VP,
        ),
        "ngram_model_free": ([_VP], ctypes.c_int),
        "ps_add_lm": ([_VP, ctypes.c_char_p, _VP], ctypes.c_int),
        "ps_activate_search": ([_VP, ctypes.c_char_p], ctypes.c_int),
    }
    for name, (argtypes, restype) in signatures.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = restype
    return lib


def _decoder_handle(decoder) -> int | None:
    """The `ps_decoder_t*` inside a pocketsphinx 5 `Decoder`, or None if the layout differs."""
    cls = type(decoder)
    if cls.__basicsize__ != _EXPECTED_DECODER_BASICSIZE or hasattr(cls, "__pyx_vtable__"):
        return None
    return _VP.from_address(id(decoder) + 16).value


def mix_frontdesk_lm(decoder, general_lm: Path, frontdesk_lm: Path, weight: float) -> bool:
    """Activate `(1-weight) * general + weight * frontdesk` as the decoder's search.

    Returns False, leaving the decoder untouched, when the binding's layout is
    not the one this was written for.
    """
    handle = _decoder_handle(decoder)
    if not handle:
        return False
    lib = _library()
    config, logmath = lib.ps_get_config(handle), lib.ps_get_logmath(handle)
    models = [
        lib.ngram_model_read(config, str(path).encode(), _NGRAM_AUTO, logmath)
        for path in (general_lm, frontdesk_lm)
    ]
    if not all(models):
        for model in filter(None, models):
            lib.ngram_model_free(model)
        return False
    names = (ctypes.c_char_p * 2)(b"general", b"frontdesk")
    weights = (ctypes.c_float * 2)(1.0 - weight, weight)
    lmset = lib.ngram_model_set_init(config, (_VP * 2)(*models), names, weights, 2)
    try:
        if not lmset:
            return False
        return (
            lib.ps_add_lm(handle, _SEARCH_NAME, lmset) == 0
            and lib.ps_activate_search(handle, _SEARCH_NAME) == 0
        )
    finally:
        # The search holds its own references; drop ours.
        for model in filter(None, [lmset, *models]):
            lib.ngram_model_free(model)
