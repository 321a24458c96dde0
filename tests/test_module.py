"""nn.module: neurons as one "dot" node plus σ, the expanded graph, seed notation, init, errors."""


from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, grad, topological_order
from nn import ACTIVATIONS, MLP, Layer, Neuron
from nn.losses import half_squared_error

shapes = st.tuples(
    st.integers(1, 4), st.lists(st.integers(1, 4), min_size=1, max_size=3)
)
inputs = st.floats(-3, 3, allow_nan=False)


def _ops(root: Value) -> set[str]:
    return {node.op for node in topological_order(root) if node.op}


def test_neuron_z_is_one_dot_node_with_its_local_derivatives() -> None:
    neuron = Neuron(3, "tanh", seed=1)
    x = [Value(0.5), Value(-1.0), Value(2.0)]
    z = neuron.weighted_input(x)
    w, b = neuron.weights, neuron.bias
    assert z.op == "dot"
    assert z.inputs == (*w, *x, b)
    assert list(z.local_grads) == [a.data for a in x] + [v.data for v in w] + [1.0]


def test_neuron_output_is_sigma_of_z_as_a_second_node() -> None:
    for activation in ("tanh", "sigmoid", "relu"):
        neuron = Neuron(2, activation, seed=3)
        a = neuron([0.3, -0.7])
        assert a.op == activation
        assert a.inputs[0].op == "dot"
        z = a.inputs[0].data
        expected = {"tanh": math.tanh(z), "sigmoid": 1 / (1 + math.exp(-z)), "relu": max(z, 0.0)}
        assert a.data == pytest.approx(expected[activation], abs=1e-15)


def test_linear_neuron_adds_no_node_after_dot() -> None:
    assert Neuron(2, "linear", seed=0)([1.0, 2.0]).op == "dot"


@given(shapes, st.sampled_from(ACTIVATIONS), st.integers(0, 10**6), st.data())
def test_expanded_graph_gives_bit_identical_values_and_gradients(
    shape: tuple[int, list[int]], activation: str, seed: int, data: st.DataObject
) -> None:
    nin, nouts = shape
    x = data.draw(st.lists(inputs, min_size=nin, max_size=nin))
    fused = MLP(nin, nouts, activation, activation, seed=seed)
    expanded = MLP(nin, nouts, activation, activation, seed=seed, expand=True)
    results = []
    for model in (fused, expanded):
        xs = [Value(v) for v in x]
        out = model(xs)
        loss = half_squared_error(out, [0.5] * nouts[-1])
        loss.backward()
        results.append((loss.data, [p.grad for p in model.parameters()], [v.grad for v in xs]))
    assert results[0] == results[1]


def _shape(root: Value) -> list[tuple[str, str, float, tuple[float, ...]]]:
    return [(n.op, n.label, n.data, tuple(n.local_grads)) for n in topological_order(root)]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_mlp_forward_makes_the_nodes_and_labels_each_neuron_makes(activation: str) -> None:
    model = MLP(3, [4, 2, 1], activation=activation, seed=3)
    x = [0.5, -1.0, 2.0]
    fast = model(x)
    A = model.input_values(x)
    for layer in model.layers:
        A = [n.activate(n.weighted_input(A)) for n in layer.neurons]
    assert isinstance(fast, Value)
    assert _shape(fast) == _shape(A[0])


def test_expanded_graph_uses_only_single_products_and_sums() -> None:
    model = MLP(3, [2, 1], "tanh", seed=0, expand=True)
    out = model([1.0, 2.0, 3.0])
    assert isinstance(out, Value)
    assert _ops(out) == {"*", "+", "tanh"}
    assert "dot" in _ops(MLP(3, [2, 1], "tanh", seed=0)([1.0, 2.0, 3.0]))  # type: ignore[arg-type]


def test_weight_jk_joins_neuron_k_of_layer_l_minus_1_to_neuron_j_of_layer_l() -> None:
    model = MLP(3, [4, 2], "sigmoid", seed=5)
    trace = model.trace([0.1, 0.2, 0.3])
    for l in (2, 3):
        for j, z in enumerate(trace.Z[l], start=1):
            below = trace.A[l - 1]
            # eq. (1): ∂z_j^l / ∂a_k^{l-1} = w_jk^l, found by differentiating the graph
            slopes = grad(z, below)
            for k, slope in enumerate(slopes, start=1):
                assert slope == model.weight(l, j, k).data
            assert grad(z, [model.bias(l, j)]) == [1.0]


def test_parameters_carry_seed_notation_labels() -> None:
    model = MLP(3, [4, 2], seed=0)
    assert model.weight(2, 1, 2).label == "w_12^2"
    assert model.weight(3, 2, 4).label == "w_24^3"
    assert model.bias(3, 1).label == "b_1^3"
    wide = MLP(12, [11], seed=0)
    assert wide.weight(2, 11, 12).label == "w_11,12^2"


def test_trace_labels_and_values_follow_the_seed() -> None:
    model = MLP(2, [3, 1], "tanh", "sigmoid", seed=2)
    trace = model.trace([0.5, -0.5])
    assert sorted(trace.Z) == [2, 3] and sorted(trace.A) == [1, 2, 3]
    assert [a.label for a in trace.A[1]] == ["a_1^1", "a_2^1"]
    assert [z.label for z in trace.Z[2]] == ["z_1^2", "z_2^2", "z_3^2"]
    assert trace.A[3][0].label == "a_1^3"
    out = model([0.5, -0.5])
    assert isinstance(out, Value)
    assert trace.A[3][0].data == out.data
    for z, a in zip(trace.Z[2], trace.A[2]):
        assert a.data == math.tanh(z.data)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1, 1, 1), "from 2 to 3"),
        ((4, 1, 1), "from 2 to 3"),
        ((2, 0, 1), "j = 1..4"),
        ((2, 5, 1), "j = 1..4"),
        ((2, 1, 4), "k = 1..3"),
        ((3, 1, 5), "k = 1..4"),
        ((2, True, 1), "j = 1..4"),
        (("2", 1, 1), "from 2 to 3"),
    ],
)
def test_weight_out_of_range_raises_index_error_with_valid_ranges(
    args: tuple[object, object, object], message: str
) -> None:
    model = MLP(3, [4, 2], seed=0)
    with pytest.raises(IndexError, match=message):
        model.weight(*args)  # type: ignore[arg-type]


def test_bias_out_of_range_raises_index_error() -> None:
    with pytest.raises(IndexError, match="j = 1..2"):
        MLP(3, [4, 2], seed=0).bias(3, 3)


def test_layer_always_returns_a_list_and_mlp_one_value_for_one_output() -> None:
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), list)
    assert isinstance(MLP(2, [1, 3], seed=0)([1.0, 2.0]), list)
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)


def test_initialisation_is_seeded_uniform_within_one_over_sqrt_nin() -> None:
    a, b, c = MLP(9, [30, 4], seed=7), MLP(9, [30, 4], seed=7), MLP(9, [30, 4], seed=8)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    for l, nin in ((2, 9), (3, 30)):
        for neuron in a.layers[l - 2].neurons:
            assert all(abs(w.data) <= 1 / math.sqrt(nin) for w in neuron.weights)
            assert neuron.bias.data == 0.0
    first_layer = [w.data * 3 for n in a.layers[0].neurons for w in n.weights]  # now U(-1, 1)
    assert max(first_layer) > 0.9 and min(first_layer) < -0.9
    assert abs(sum(first_layer) / len(first_layer)) < 0.15


def test_parameters_are_every_weight_and_bias_in_layer_order() -> None:
    model = MLP(2, [16, 16, 1])
    params = model.parameters()
    assert len(params) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
    assert params[0] is model.weight(2, 1, 1) and params[-1] is model.bias(4, 1)
    assert len(set(map(id, params))) == len(params)


def test_zero_grad_clears_every_gradient() -> None:
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, -1.0])
    assert isinstance(out, Value)
    out.backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_public_attributes_that_drawings_rely_on() -> None:
    model = MLP(2, [3, 1], "relu", "sigmoid", seed=0)
    assert [layer.activation for layer in model.layers] == ["relu", "sigmoid"]
    neuron = model.layers[0].neurons[2]
    assert neuron.activation == "relu" and neuron.bias is model.bias(2, 3)
    assert neuron.weights == [model.weight(2, 3, 1), model.weight(2, 3, 2)]
    assert not hasattr(neuron, "__dict__") and not hasattr(model.layers[0], "__dict__")


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: MLP(2, [3], activation="softmax"), ValueError, "activation must be one of"),
        (lambda: MLP(0, [3]), ValueError, "MLP\\(nin\\) must be >= 1"),
        (lambda: MLP(2, []), TypeError, "non-empty list"),
        (lambda: MLP(2, [3, 0]), ValueError, "MLP\\(nouts\\) must be >= 1"),
        (lambda: MLP(2.0, [3]), TypeError, "must be an int"),  # type: ignore[arg-type]
        (lambda: Neuron(2, seed="x"), TypeError, "seed must be"),  # type: ignore[arg-type]
        (lambda: MLP(2, [1])([1.0]), ValueError, "expects 2 inputs, got 1"),
        (lambda: MLP(2, [1])([1.0, "a"]), TypeError, "real number"),
        (lambda: MLP(2, [1])(1.0), TypeError, "list of 2 numbers"),  # type: ignore[arg-type]
        (lambda: Neuron(2)([1.0]), ValueError, "2 weights but 1"),
        (lambda: Neuron(2, expand=True)([1.0]), ValueError, "2 weights but 1"),
        (lambda: Neuron(2)([1.0, None]), TypeError, "real number"),  # type: ignore[list-item]
    ],
)
def test_bad_arguments_raise_clear_errors(
    build: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        build()  # type: ignore[operator]


def test_neuron_and_layer_accept_plain_numbers() -> None:
    neuron = Neuron(2, "linear", seed=4)
    z = neuron([2, 3.0])
    w1, w2 = (w.data for w in neuron.weights)
    assert z.data == w1 * 2 + w2 * 3.0 + 0.0
    assert [a.data for a in Layer(2, 1, "linear", seed=4)([2, 3.0])] == [z.data]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Neuron(3, nonlin=False), 'activation="linear" for micrograd\'s nonlin=False'),
        (lambda: Neuron(3, nonlin=True), 'activation="relu" for micrograd\'s nonlin=True'),
        (lambda: Layer(3, 2, nonlin=False), 'Layer.*activation="linear"'),
        (lambda: MLP(3, [4, 1], nonlin=True), 'MLP.*activation="relu"'),
        (lambda: Neuron(3, False), 'nonlin=False write activation="linear"'),
        (lambda: Layer(3, 2, bias=False), "every chainrule neuron has a bias"),
        (lambda: Neuron(3, colour="red"), "unexpected keyword argument 'colour'$"),
    ],
)
def test_micrograd_and_pytorch_arguments_get_chainrules_name(build: object, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        build()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("module", "attribute", "message"),
    [
        (Neuron(2, seed=0), "w", r"neuron\.weights"),
        (Neuron(2, seed=0), "b", r"neuron\.bias"),
        (Neuron(2, seed=0), "nonlin", r"\.activation"),
        (Layer(2, 2, seed=0), "weight", r"model\.weight\(l, j, k\)"),
        (MLP(2, [1]), "forward", r"model\(x\)"),
        (MLP(2, [1]), "eval", "no training or evaluation mode"),
        (MLP(2, [1]), "state_dict", r"nn\.save\(model, path\)"),
        (MLP(2, [1]), "cuda", "no device"),
        (MLP(2, [1]), "colour", "has no attribute 'colour'$"),
    ],
)
def test_micrograd_and_pytorch_attribute_names_say_what_to_use(
    module: object, attribute: str, message: str
) -> None:
    with pytest.raises(AttributeError, match=message):
        getattr(module, attribute)
    assert not hasattr(module, attribute)


def test_zero_grad_accepts_pytorchs_set_to_none_and_leaves_zero() -> None:
    model = MLP(2, [2, 1], seed=0)
    for p in model.parameters():
        p.grad = 3.0
    model.zero_grad(set_to_none=True)
    assert [p.grad for p in model.parameters()] == [0.0] * 9


def test_numpy_arrays_and_scalars_work_as_inputs_widths_seeds_and_indices() -> None:
    np = pytest.importorskip("numpy")
    model = MLP(np.int64(3), np.array([4, 2]), seed=np.int64(7))
    same = MLP(3, [4, 2], seed=7)
    x = [0.5, -1.0, 2.0]
    expected = [a.data for a in same(x)]  # type: ignore[union-attr]
    for example in (np.array(x), np.array(x, dtype=np.float32), [np.float64(v) for v in x]):
        assert [a.data for a in model(example)] == expected  # type: ignore[union-attr]
    assert model.weight(np.int64(2), np.int64(1), np.int64(3)) is model.weight(2, 1, 3)
    assert Neuron(3, seed=1)(np.array(x)).data == Neuron(3, seed=1)(x).data
    assert [a.data for a in Layer(3, 2, seed=1)(np.array(x))] == [
        a.data for a in Layer(3, 2, seed=1)(x)
    ]


def test_any_sequence_of_numbers_is_an_input() -> None:
    model = MLP(3, (4, 1), seed=0)
    reference = model([1.0, 2.0, 3.0]).data  # type: ignore[union-attr]
    assert model((1.0, 2.0, 3.0)).data == reference  # type: ignore[union-attr]
    assert model(range(1, 4)).data == reference  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Linear", r'nn\.Layer\(nin, nout, activation="linear"\)'),
        ("Sequential", r"nn\.MLP\(nin"),
        ("ReLU", 'activation="relu"'),
        ("MSELoss", r"nn\.mse"),
        ("Conv2d", "^module 'nn' has no attribute 'Conv2d'$"),
    ],
)
def test_torch_nn_names_say_what_chainrules_nn_has_instead(name: str, message: str) -> None:
    import nn

    with pytest.raises(AttributeError, match=message):
        getattr(nn, name)
