#!/usr/bin/python3
"""Keras-format fixtures that TensorFlow.js cannot make, with PyTorch (float64) as the reference.

TF.js 4.22's GRUCell throws on reset_after=True, yet that is the GRU Keras 2 and 3 save by
default (and PyTorch's cell). This script writes test/fixtures/keras/<case>/ (model.json,
weight shards, expected.json) in the forms tensorflowjs_converter writes from Keras:

  gru_reset_after_keras2    Keras 2 (tf.keras) converter form: modelTopology.model_config,
                            InputLayer batch_input_shape, weight names gru/gru_cell/kernel
  bi_gru_keras3_functional  Keras 3 converter form: a Functional model (Keras 3 inbound_nodes),
                            InputLayer batch_shape, DTypePolicy dtypes, Bidirectional GRU with
                            its backward_layer config, weight names layers/<layer>/.../vars/<i>,
                            an optimizer variable beside the model's
  embed_lstm_keras3         Keras 3 Sequential: Embedding -> LSTM -> LSTM -> Dense(softmax),
                            weights layers/embedding/vars/0, layers/lstm/cell/vars/0, layers/lstm_1/...

The weights are drawn in Keras's layout (kernel [I, G*H] with gates z,r,h for GRU and i,f,c,o
for LSTM; GRU bias [2, 3H]), rounded to float32, then mapped to PyTorch's layout (transpose,
gates r,z,n) to compute the reference in float64. A plain NumPy implementation of Keras's
equations on the Keras-layout weights must agree with PyTorch to 1e-12 before anything is
written, so the mapping in this script is checked independently of rnn-wasm's.

  /usr/bin/python3 tools/keras-fixtures-torch.py     # from the repository root; deterministic
"""
import json
import os
import shutil

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'keras')
torch.set_default_dtype(torch.float64)


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def uniform(rng, *shape):
    return f32(rng.uniform(-0.7, 0.7, size=shape))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# --- Keras layout -> PyTorch layout ------------------------------------------------------------

def gru_to_torch(kernel, recurrent, bias, H):
    # Keras blocks z, r, h -> PyTorch r, z, n
    order = lambda m: np.concatenate([m[..., H:2 * H], m[..., 0:H], m[..., 2 * H:3 * H]], axis=-1)
    return order(kernel).T, order(recurrent).T, order(bias[0]), order(bias[1])


def lstm_to_torch(kernel, recurrent, bias):
    # Keras gates i, f, c, o are PyTorch's i, f, g, o; one bias -> bias_ih, bias_hh = 0
    return kernel.T, recurrent.T, bias, np.zeros_like(bias)


# --- Keras's equations, written out on the Keras layout -----------------------------------------

def keras_gru(x, kernel, recurrent, bias, H, go_backwards=False):
    B, T, _ = x.shape
    h = np.zeros((B, H))
    out = np.zeros((B, T, H))
    steps = range(T - 1, -1, -1) if go_backwards else range(T)
    for k, t in enumerate(steps):
        xi = x[:, t] @ kernel + bias[0]
        hr = h @ recurrent + bias[1]
        z = sigmoid(xi[:, :H] + hr[:, :H])
        r = sigmoid(xi[:, H:2 * H] + hr[:, H:2 * H])
        hh = np.tanh(xi[:, 2 * H:] + r * hr[:, 2 * H:])
        h = z * h + (1 - z) * hh
        out[:, k] = h
    return out


def keras_lstm(x, kernel, recurrent, bias, H):
    B, T, _ = x.shape
    h = np.zeros((B, H))
    c = np.zeros((B, H))
    out = np.zeros((B, T, H))
    for t in range(T):
        g = x[:, t] @ kernel + h @ recurrent + bias
        i, f, cc, o = sigmoid(g[:, :H]), sigmoid(g[:, H:2 * H]), np.tanh(g[:, 2 * H:3 * H]), sigmoid(g[:, 3 * H:])
        c = f * c + i * cc
        h = o * np.tanh(c)
        out[:, t] = h
    return out


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def check(name, a, b):
    d = float(np.max(np.abs(a - b)))
    if d > 1e-12:
        raise SystemExit(f'{name}: Keras equations and PyTorch disagree by {d}')


def torch_rnn(cls, weights, H, x, bidirectional=False):
    """weights: per direction (w_ih, w_hh, b_ih, b_hh) in PyTorch layout."""
    m = cls(x.shape[2], H, batch_first=True, bidirectional=bidirectional)
    with torch.no_grad():
        for d, (wi, wh, bi, bh) in enumerate(weights):
            sfx = '_reverse' if d else ''
            getattr(m, 'weight_ih_l0' + sfx).copy_(torch.from_numpy(wi))
            getattr(m, 'weight_hh_l0' + sfx).copy_(torch.from_numpy(wh))
            getattr(m, 'bias_ih_l0' + sfx).copy_(torch.from_numpy(bi))
            getattr(m, 'bias_hh_l0' + sfx).copy_(torch.from_numpy(bh))
        return m(torch.from_numpy(x))[0].numpy()


# --- files ---------------------------------------------------------------------------------------

def write(name, about, topology, weights, x, y, shards=1):
    """weights: list of (manifest name, float64 array); written as float32 in this order."""
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    blob = b''.join(np.asarray(w, dtype='<f4').tobytes() for _, w in weights)
    paths = ['group1-shard1of1.bin'] if shards == 1 else [f'group1-shard{i + 1}of{shards}.bin' for i in range(shards)]
    size = -(-len(blob) // shards)
    for i, p in enumerate(paths):
        with open(os.path.join(d, p), 'wb') as f:
            f.write(blob[i * size:(i + 1) * size])
    model = {
        'format': 'layers-model',
        'generatedBy': 'tools/keras-fixtures-torch.py (weights from PyTorch, in the form tensorflowjs_converter writes)',
        'convertedBy': None,
        'modelTopology': topology,
        'weightsManifest': [{'paths': paths, 'weights': [
            {'name': n, 'shape': list(np.shape(w)), 'dtype': 'float32'} for n, w in weights]}],
    }
    with open(os.path.join(d, 'model.json'), 'w') as f:
        json.dump(model, f, indent=1)
        f.write('\n')
    ints = np.issubdtype(x.dtype, np.integer)
    with open(os.path.join(d, 'expected.json'), 'w') as f:
        json.dump({
            'source': f'PyTorch {torch.__version__}, float64 (tools/keras-fixtures-torch.py)',
            'about': about,
            'input': {'dtype': 'int32' if ints else 'float32', 'shape': list(x.shape),
                      'data': [int(v) for v in x.ravel()] if ints else [float(v) for v in x.ravel()]},
            'output': {'shape': list(y.shape), 'data': [float(f'{v:.17g}') for v in y.ravel()]},
        }, f)
        f.write('\n')
    print(f'{name:28s} {len(blob)} weight bytes, output {list(y.shape)}')


def rnn_config(cls, name, H, return_sequences, keras3, **extra):
    c = {
        'name': name, 'trainable': True,
        'dtype': {'class_name': 'DTypePolicy', 'config': {'name': 'float32'}} if keras3 else 'float32',
        'return_sequences': return_sequences, 'return_state': False, 'go_backwards': False,
        'stateful': False, 'unroll': False, 'units': H, 'activation': 'tanh',
        'recurrent_activation': 'sigmoid', 'use_bias': True,
        'kernel_initializer': {'class_name': 'GlorotUniform', 'config': {'seed': None}},
        'recurrent_initializer': {'class_name': 'Orthogonal', 'config': {'gain': 1.0, 'seed': None}},
        'bias_initializer': {'class_name': 'Zeros', 'config': {}},
        'kernel_regularizer': None, 'recurrent_regularizer': None, 'bias_regularizer': None,
        'activity_regularizer': None, 'kernel_constraint': None, 'recurrent_constraint': None,
        'bias_constraint': None, 'dropout': 0.0, 'recurrent_dropout': 0.0,
    }
    if keras3:
        c.update({'seed': None, 'use_cudnn': 'auto'})
    else:
        c.update({'time_major': False, 'implementation': 2})
    if cls == 'GRU':
        c['reset_after'] = True
    if cls == 'LSTM':
        c['unit_forget_bias'] = True
    c.update(extra)
    return {'class_name': cls, 'config': c}


def dense_config(name, units, activation, keras3):
    return {'class_name': 'Dense', 'config': {
        'name': name, 'trainable': True,
        'dtype': {'class_name': 'DTypePolicy', 'config': {'name': 'float32'}} if keras3 else 'float32',
        'units': units, 'activation': activation, 'use_bias': True,
        'kernel_initializer': {'class_name': 'GlorotUniform', 'config': {'seed': None}},
        'bias_initializer': {'class_name': 'Zeros', 'config': {}},
        'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None,
        'kernel_constraint': None, 'bias_constraint': None}}


def keras_tensor(shape, layer):
    return {'class_name': '__keras_tensor__', 'config': {'shape': shape, 'dtype': 'float32', 'keras_history': [layer, 0, 0]}}


def gru_keras2(rng):
    I, H, O, B, T = 5, 3, 2, 2, 6
    k, rk, b = uniform(rng, I, 3 * H), uniform(rng, H, 3 * H), uniform(rng, 2, 3 * H)
    dk, db = uniform(rng, H, O), uniform(rng, O)
    x = f32(rng.uniform(-1, 1, size=(B, T, I)))
    ref = torch_rnn(torch.nn.GRU, [gru_to_torch(k, rk, b, H)], H, x)
    check('gru_reset_after_keras2', ref, keras_gru(x, k, rk, b, H))
    y = ref @ dk + db
    topology = {'keras_version': '2.15.0', 'backend': 'tensorflow', 'model_config': {
        'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': [
            {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, None, I], 'dtype': 'float32',
                                                     'sparse': False, 'ragged': False, 'name': 'input_1'}},
            rnn_config('GRU', 'gru', H, True, False),
            dense_config('dense', O, 'linear', False)]}}}
    # the converter walks the HDF5 groups alphabetically: dense before gru
    weights = [('dense/kernel', dk), ('dense/bias', db),
               ('gru/gru_cell/kernel', k), ('gru/gru_cell/recurrent_kernel', rk), ('gru/gru_cell/bias', b)]
    write('gru_reset_after_keras2', 'Keras 2 form: Input([None, 5]) -> GRU(3, reset_after, rs) -> Dense(2)', topology, weights, x, y)


def bi_gru_keras3(rng):
    I, H, O, B, T = 5, 3, 2, 3, 4
    fw = [uniform(rng, I, 3 * H), uniform(rng, H, 3 * H), uniform(rng, 2, 3 * H)]
    bw = [uniform(rng, I, 3 * H), uniform(rng, H, 3 * H), uniform(rng, 2, 3 * H)]
    dk, db = uniform(rng, 2 * H, O), uniform(rng, O)
    x = f32(rng.uniform(-1, 1, size=(B, T, I)))
    ref = torch_rnn(torch.nn.GRU, [gru_to_torch(*fw, H), gru_to_torch(*bw, H)], H, x, bidirectional=True)
    keras = np.concatenate([keras_gru(x, *fw, H), keras_gru(x, *bw, H, go_backwards=True)[:, ::-1]], axis=-1)
    check('bi_gru_keras3_functional', ref, keras)
    y = ref @ dk + db
    inner = rnn_config('GRU', 'forward_gru', H, True, True)
    back = rnn_config('GRU', 'backward_gru', H, True, True, go_backwards=True)
    bi = {'class_name': 'Bidirectional', 'config': {
        'name': 'bidirectional', 'trainable': True, 'dtype': {'class_name': 'DTypePolicy', 'config': {'name': 'float32'}},
        'merge_mode': 'concat', 'layer': inner, 'backward_layer': back},
        'build_config': {'input_shape': [None, T, I]}, 'name': 'bidirectional',
        'inbound_nodes': [{'args': [keras_tensor([None, T, I], 'input_layer')], 'kwargs': {'mask': None}}]}
    dense = dense_config('dense', O, 'linear', True)
    dense.update({'build_config': {'input_shape': [None, T, 2 * H]}, 'name': 'dense',
                  'inbound_nodes': [{'args': [keras_tensor([None, T, 2 * H], 'bidirectional')], 'kwargs': {}}]})
    topology = {'keras_version': '3.3.3', 'model_config': {'class_name': 'Functional', 'config': {
        'name': 'functional', 'trainable': True, 'layers': [
            {'class_name': 'InputLayer', 'config': {'batch_shape': [None, T, I], 'dtype': 'float32', 'sparse': False,
                                                     'name': 'input_layer'}, 'name': 'input_layer', 'inbound_nodes': []},
            bi, dense],
        'input_layers': [['input_layer', 0, 0]], 'output_layers': [['dense', 0, 0]]}}}
    weights = [('layers/bidirectional/backward_layer/cell/vars/0', bw[0]), ('layers/bidirectional/backward_layer/cell/vars/1', bw[1]),
               ('layers/bidirectional/backward_layer/cell/vars/2', bw[2]),
               ('layers/bidirectional/forward_layer/cell/vars/0', fw[0]), ('layers/bidirectional/forward_layer/cell/vars/1', fw[1]),
               ('layers/bidirectional/forward_layer/cell/vars/2', fw[2]),
               ('layers/dense/vars/0', dk), ('layers/dense/vars/1', db),
               ('optimizer/vars/1', np.zeros((I, 3 * H)))]  # an Adam moment: not a model weight
    write('bi_gru_keras3_functional', 'Keras 3 form: Functional Input([4, 5]) -> Bidirectional(GRU(3, reset_after, rs)) -> Dense(2); one optimizer variable',
          topology, weights, x, y, shards=2)


def embed_lstm_keras3(rng):
    V, E, H, O, B, T = 6, 4, 3, 2, 2, 5
    emb = uniform(rng, V, E)
    l1 = [uniform(rng, E, 4 * H), uniform(rng, H, 4 * H), uniform(rng, 4 * H)]
    l2 = [uniform(rng, H, 4 * H), uniform(rng, H, 4 * H), uniform(rng, 4 * H)]
    dk, db = uniform(rng, H, O), uniform(rng, O)
    ids = rng.integers(0, V, size=(B, T)).astype(np.int64)
    x = emb[ids]
    h1 = torch_rnn(torch.nn.LSTM, [lstm_to_torch(*l1)], H, x)
    h2 = torch_rnn(torch.nn.LSTM, [lstm_to_torch(*l2)], H, h1)
    check('embed_lstm_keras3', h2, keras_lstm(keras_lstm(x, *l1, H), *l2, H))
    y = softmax(h2[:, -1] @ dk + db)
    dt = {'class_name': 'DTypePolicy', 'config': {'name': 'float32'}}
    topology = {'keras_version': '3.3.3', 'model_config': {'class_name': 'Sequential', 'config': {
        'name': 'sequential', 'trainable': True, 'dtype': dt, 'layers': [
            {'class_name': 'InputLayer', 'config': {'batch_shape': [None, T], 'dtype': 'int32', 'sparse': False, 'name': 'input_layer'}},
            {'class_name': 'Embedding', 'config': {'name': 'embedding', 'trainable': True, 'dtype': dt, 'input_dim': V, 'output_dim': E,
                                                   'embeddings_initializer': {'class_name': 'RandomUniform', 'config': {'minval': -0.05, 'maxval': 0.05, 'seed': None}},
                                                   'embeddings_regularizer': None, 'activity_regularizer': None, 'embeddings_constraint': None,
                                                   'mask_zero': False}, 'build_config': {'input_shape': [None, T]}},
            dict(rnn_config('LSTM', 'lstm', H, True, True), build_config={'input_shape': [None, T, E]}),
            dict(rnn_config('LSTM', 'lstm_1', H, False, True), build_config={'input_shape': [None, T, H]}),
            dict(dense_config('dense', O, 'softmax', True), build_config={'input_shape': [None, H]})],
        'build_input_shape': [None, T]}}}
    weights = [('layers/dense/vars/0', dk), ('layers/dense/vars/1', db), ('layers/embedding/vars/0', emb),
               ('layers/lstm/cell/vars/0', l1[0]), ('layers/lstm/cell/vars/1', l1[1]), ('layers/lstm/cell/vars/2', l1[2]),
               ('layers/lstm_1/cell/vars/0', l2[0]), ('layers/lstm_1/cell/vars/1', l2[1]), ('layers/lstm_1/cell/vars/2', l2[2])]
    write('embed_lstm_keras3', 'Keras 3 form: Sequential Input([5], int32) -> Embedding(6, 4) -> LSTM(3, rs) -> LSTM(3) -> Dense(2, softmax)',
          topology, weights, ids, y)


if __name__ == '__main__':
    gru_keras2(np.random.default_rng(20261))
    bi_gru_keras3(np.random.default_rng(20262))
    embed_lstm_keras3(np.random.default_rng(20263))
