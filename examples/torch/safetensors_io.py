# safetensors for PyTorch, read and written by hand: Debian's python3-torch comes without the `safetensors`
# package. The format: an 8-byte little-endian header length, a JSON header {name: {dtype, shape,
# data_offsets}}, then the raw little-endian bytes. Used by continue_training.py here and by
# scripts/fixtures/torch_io.py (the PyTorch fixtures).

import json
import struct

import torch

# int64 only for BatchNorm's num_batches_tracked, which PyTorch keeps as an integer
DTYPES = {torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64'}
TORCH_DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I64': torch.int64}


def save_safetensors(state, path):
    """safetensors.torch.save_file, by hand: names sorted, data contiguous, header padded to 8 bytes."""
    header, blobs, offset = {}, [], 0
    for name in sorted(state):
        t = state[name].detach().contiguous().cpu()
        raw = t.numpy().tobytes()  # little-endian on the machines torch runs on
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def load_safetensors(path):
    """safetensors.torch.load_file, by hand."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    header.pop('__metadata__', None)
    out = {}
    for name, e in header.items():
        begin, end = e['data_offsets']
        t = torch.frombuffer(bytearray(data[8 + n + begin:8 + n + end]), dtype=TORCH_DTYPES[e['dtype']])
        out[name] = t.reshape(e['shape']).clone()
    return out
