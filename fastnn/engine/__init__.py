"""fastnn.engine: what turns a model into kernel calls.

layout.py    the flat buffers: one parameter array, the layer table, workspaces
memory.py    buffer placement (no 4K aliasing between streams)
loop.py      fit / evaluate / predict: validate once, then whole epochs per kernel call
aot.py       ahead-of-time compiled entry points (no Numba import to train)
warmup.py    compile everything once (`fastnn warmup`)
"""
