"""Every public function of kan_edu, fed one wrong argument at a time: it returns, or it raises a ValueError or
TypeError whose message names that argument. Never a bare error from deep inside numpy or torch, never a
hang, never a file written.

Each case below is a valid call (small, fast arguments) and the kind of each argument it fuzzs: hypothesis
replaces ONE argument by a wrong shape, rank or dtype, NaN or inf, an empty array, a negative or huge size, a
value of the wrong type, or a tensor on the ``meta`` device (this machine has no GPU: ``meta`` stands in for
"another device"; it holds no values, so a function that reads them must refuse it with a clear message).
Public methods of public classes count as public functions (a KAN's ``fit``, ``prune``, ``save``, ...); a
case may build a fresh object for every call (``fresh``) when the method changes it. The checks' verdicts are
tested in tests/checks/.
"""

from __future__ import annotations

import importlib
import inspect
import math
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import kan_edu
from kan_edu import (
    artists,
    conv,
    data,
    deep,
    fairness,
    figures,
    flows,
    gan,
    generative,
    glue,
    graphs,
    isometry,
    losses,
    nn,
    optim,
    performance,
    regression,
    rl,
    shallow,
    train,
    unsupervised,
    vae,
)
from kan_edu import attention as att
from kan_edu import backprop as bp
from kan_edu import diffusion as dif
from kan_edu import kan as K
from kan_edu import regularization as reg
from kan_edu import residual as res
from kan_edu import text as txt
from kan_edu import understanding as und
from kan_edu.lbfgs import LBFGS

#: Modules that are not functions of data: the checks (their verdicts are their contract, tested in tests/checks).
SKIPPED_MODULES = {"check"}

NAN, INF = float("nan"), float("inf")
JUNK = [None, "text", b"bytes", object(), {"a": 1}, 1j, [1, "a"], [[1.0, 2.0], [3.0]]]


@dataclass
class Case:
    """A valid call of ``fn`` with ``args``, and the kind of each argument to fuzz ("array", "size", ...)."""

    fn: object
    args: dict
    kinds: dict
    domain: tuple = ()  # exceptions that are a documented outcome, not a complaint about an argument
    name: str = field(default="")
    fresh: dict = field(default_factory=dict)  # arguments made anew for every call: name -> factory

    def __post_init__(self):
        self.name = self.name or getattr(self.fn, "__qualname__", repr(self.fn))


# --------------------------------------------------------------------------------------------- valid data
rng = np.random.default_rng(0)
V3 = np.array([0.1, -0.4, 0.7])
X8 = np.linspace(0.0, 1.0, 8)
Y8 = 0.5 + 0.3 * X8
PHI = rng.normal(size=(6, 3))
YPHI = rng.normal(size=6)
W_DEEP, B_DEEP = deep.random_network([1, 3, 1], seed=0)
PARAMS = bp.relu_net_init([3, 4, 2], 0.5)
OUT, CACHE = bp.relu_net_forward(PARAMS, np.ones((2, 3)))
BN = isometry.BNMLP(4, 2)
RES = res.ResMLP(2, 4, in_dim=3, out_dim=2, norm="batch")
RES_1D = res.ResMLP(2, 4, in_dim=1, out_dim=1)
TINY_MNIST1D = {
    "train_input": torch.randn(8, 3),
    "train_label": torch.arange(8) % 2,
    "test_input": torch.randn(4, 3),
    "test_label": torch.arange(4) % 2,
}
XT = torch.randn(6, 4, dtype=torch.float64)
LIN = torch.nn.Linear(3, 2)
XTRAIN, YTRAIN = torch.randn(8, 3), torch.randint(0, 2, (8,))
MSE = torch.nn.functional.mse_loss
SCORES, OUTCOMES, GROUPS = (
    np.array([0.3, -0.2, 1.1, 0.4, -0.9, 0.0]),
    np.array([1, 0, 1, 0, 1, 0]),
    np.array([0, 0, 0, 1, 1, 1]),
)
CE = torch.nn.functional.cross_entropy


def quad_grad(theta, idx=None):
    return 2.0 * np.asarray(theta)


def quad_loss(theta):
    return float(np.sum(np.asarray(theta) ** 2))


def parabola(s):
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.square(np.float64(s) - 1.0))  # inf, not an error, for a huge step


def build(fig):
    (line,) = fig.subplots().plot([0, 1], [0, 1])

    def update(a=0.5):
        line.set_ydata([0, a])

    return update


#: The arguments that isometry's experiments share: the network's and the inputs'.
EXPERIMENT_KINDS = dict(
    width="size",
    batch="size",
    init="choice",
    norm="choice",
    activation="choice",
    gain_exponent="number",
    seed="seed",
    degenerate="number",
    distinct="size",
)
CONV_NET = torch.nn.Sequential(torch.nn.Conv1d(1, 2, 3), torch.nn.Tanh(), torch.nn.Conv1d(2, 1, 3)).double()
X_CONV, W_CONV = torch.randn(1, 2, 8, dtype=torch.float64), torch.randn(3, 2, 3, dtype=torch.float64)
AX = Figure(figsize=(1, 1)).subplots()
MOSAIC = artists.mosaic(AX, np.zeros((4, 2, 2)))
HEATMAP = artists.heatmap(AX, np.eye(2), annotate=True)
#: kan_edu.vae's models, a test function for its estimators, and a tiny VAE.
CURVE = vae.CurveModel(0.2, n_grid=101)
CONJ = vae.ConjugateGaussian()
VAE4 = vae.VAE(n_in=4, n_latent=2, hidden=3)
X_VAE = torch.rand(5, 4)


def vae_f(z):
    return torch.sin(z) + z**2


DENSITY = artists.density_image(AX, (0, 1, 0, 1), n=3)
LEGEND_LINE = AX.plot([0, 1], [0, 1], label="line")[0]
#: A small mixture for kan_edu.generative.
GM = generative.GaussianMixture([[0.0, 0.0], [1.0, 1.0]], 0.5)
P2 = np.ones((6, 2))
#: A fitted density estimator and 2-D points, for kan_edu.unsupervised.
X2 = np.random.default_rng(1).normal(size=(8, 2))
KDE2 = unsupervised.fit_density("kde", X2, 0.5)
#: A small grid world and its model, for kan_edu.rl.
ENV = rl.GridWorld(["S.H", "..G"], slip=0.1, rewards={"H": 0.0})
PI_RL = np.full((ENV.n_states, 4), 0.25)
TH_RL = np.zeros((ENV.n_states, 4))
DP_KINDS = dict(P="array", R="array", gamma="number")
LEARN_KINDS = dict(env="junk", episodes="size", gamma="number", seed="seed", max_steps="size")
CONTROL_KINDS = dict(LEARN_KINDS, alpha="number", epsilon="number", snapshots="array")
SLIDER = figures.Slider("a", 0.0, 1.0, 0.5, 0.5)
CHOICE = figures.Choice("c", ("x", "y"))
FIGURE = figures.InteractiveFigure(build, (SLIDER,), figsize=(1.5, 1))
WAVES = optim.WavePacket(V3, V3)

# The KAN library: small networks, small data (float32, as the chapters train), files in a folder of their own.
KDS = data.make_function_dataset(lambda x: x[:, :1] * x[:, 1:], 2, n_train=16, n_test=8, seed=0)
KX = KDS["train_input"][:8]
KNOTS = K.uniform_knots(3, 3, dtype=torch.float64)[0]
KFOLDER = tempfile.TemporaryDirectory(prefix="kan-fuzz-")  # removed when the tests end


def kan():
    return K.KAN([2, 2, 1], grid=3, seed=0)


def kan_layer():
    return K.KANLayer(2, 2, grid=3)


def symbolic_kan():
    """A one-layer KAN whose edges are both formulas (what symbolic_formula and fit_constants need)."""
    model = K.KAN([2, 1], grid=3, seed=0)
    model.fix_symbolic(0, 0, 0, "x", KX)
    model.fix_symbolic(0, 1, 0, "x", KX)
    return model


KAN, LAYER, SYMBOLIC = kan(), kan_layer(), symbolic_kan()
PX = torch.linspace(-0.9, 0.9, 8, dtype=torch.float64).reshape(4, 2)  # points of the Poisson problem
PMLP = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)).double()


def kan_file(name, payload=None, text=None):
    """A file in KFOLDER: a saved KAN (default), ``payload`` saved by torch, or ``text``."""
    path = os.path.join(KFOLDER.name, name)
    if text is not None:
        with open(path, "w") as f:
            f.write(text)
    elif payload is not None:
        torch.save(payload, path)
    else:
        KAN.save(path)
    return path


SAVED = kan_file("model.pt")
with open(SAVED, "rb") as _f:
    _truncated = _f.read()[:200]
with open(os.path.join(KFOLDER.name, "truncated.pt"), "wb") as _f:
    _f.write(_truncated)
BAD_FILES = [
    kan_file("notes.txt", text="not a model"),
    kan_file("list.pt", payload=[1, 2, 3]),
    kan_file("format.pt", payload={"config": '{"format": "other/9"}', "state": {}}),
    kan_file("config.pt", payload={"config": "{not json", "state": {}}),
    kan_file(
        "width.pt", payload={"config": '{"format": "kan_edu.kan/1", "width": [2, 0], "dtype": "float32"}', "state": {}}
    ),
    os.path.join(KFOLDER.name, "truncated.pt"),
    os.path.join(KFOLDER.name, "missing.pt"),
    KFOLDER.name,  # a folder
]


def quadratic_lbfgs():
    w = torch.zeros(2, requires_grad=True)
    optimizer = LBFGS([w], max_iter=3)
    optimizer.w = w
    return optimizer


def lbfgs_closure(optimizer):
    def closure():
        optimizer.zero_grad()
        loss = ((optimizer.w - 1.0) ** 2).sum()
        loss.backward()
        return loss

    return closure


LBFGS_STEP = quadratic_lbfgs()
A3, H3 = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]), np.ones((3, 2))
GCN3 = graphs.GCN(2, 3, 2)
TINY_MOTIFS = dict(n_graphs=4, n_train=2, epochs=1, hidden=2, n_layers=1)
FIG_A, FIG_B = Figure(figsize=(1, 1)), Figure(figsize=(1, 1))
NET = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
NET_P = und.parameters(NET)
XUNIT = torch.rand(8, 3)
TINY = dict(n_train=20, epochs=1, batch_size=10)

#: chapter 12: a head, heads, a tiny transformer and a character model
XA, WA = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
MHA = att.MultiHeadAttention(4, 2, seed=0)
XMHA = torch.randn(2, 3, 4)
TINY_TF = att.TinyTransformer(5, 4, d_model=8, n_heads=2)
TOK = torch.tensor([[0, 1, 2, 3], [4, 3, 2, 1]])
LM = txt.NGramLM(3).fit("the cat sat on the mat")
P3 = np.array([0.5, 0.3, 0.2])


#: chapter 18: a short schedule, a small mixture, a conditional noise network
BETAS_D = dif.schedule("linear", 5)
MIX_D = generative.GaussianMixture([[-1.0, 0.0], [1.0, 0.5]], 0.3)
EPS_D = dif.EpsMLP(2, 5, n_classes=2, width=8, depth=1, seed=0)
EXACT_D = dif.exact_denoiser(MIX_D, BETAS_D)
X_D = np.array([[0.1, -0.2], [0.5, 0.3], [-1.0, 0.4]])


def eps_net():
    return dif.EpsMLP(2, 5, n_classes=2, width=8, depth=1, seed=0)


def three_tokens(ids):
    return P3


def log_three_tokens(ids):
    return np.log(P3)


#: chapter 16: a 1-D flow, a coupling layer and a small RealNVP
PHI5 = np.array([0.2, 0.1, 0.4, 0.05, 0.25])
T1D = flows.transform_1d("tanh-like", 0.5)
COUPLING = flows.AffineCoupling(2, hidden=4)
NVP = flows.RealNVP(2, n_layers=2, hidden=4)
ZT = torch.randn(5, 2)


def small_flow():
    return flows.RealNVP(2, n_layers=2, hidden=4)


# fmt: off
LAYER_KINDS = dict(grid="size", k="size", grid_range="junk", base_fn="choice", noise_scale="number", grid_eps="number", dtype="dtype")
FIT_KINDS = dict(
    dataset="dataset", steps="size", opt="choice", lr="number", lamb="number", lamb_l1="number", lamb_entropy="number",
    update_grid="junk", grid_update_num="size", stop_grid_update_step="size", batch="size", seed="seed",
    progress="junk", loss_fn="function", warmup="size",
)
# One row per case, a table: the formatter leaves it as it is.
CASES = [
    Case(artists.mosaic, dict(ax=AX, images=np.zeros((4, 2, 2))), dict(ax="junk", images="array", ncols="size", pad="size")),
    Case(artists.Mosaic, dict(ax=AX, images=np.zeros((4, 2, 2))), dict(ax="junk", images="array", ncols="size", pad="size")),
    Case(MOSAIC.set_images, dict(images=np.ones((4, 2, 2))), dict(images="array"), name="Mosaic.set_images"),
    Case(MOSAIC.tile_center, dict(k=1), dict(k="size"), name="Mosaic.tile_center"),
    Case(artists.heatmap, dict(ax=AX, matrix=np.eye(2)), dict(ax="junk", matrix="array", row_labels="junk", col_labels="junk", annotate="junk", fmt="junk")),
    Case(artists.Heatmap, dict(ax=AX, matrix=np.eye(2)), dict(ax="junk", matrix="array", row_labels="junk", col_labels="junk", annotate="junk", fmt="junk")),
    Case(HEATMAP.set_data, dict(matrix=np.ones((2, 2))), dict(matrix="array"), name="Heatmap.set_data"),
    Case(HEATMAP.set_labels, dict(row_labels=["a", "b"]), dict(row_labels="junk", col_labels="junk"), name="Heatmap.set_labels"),
    Case(artists.density_image, dict(ax=AX, extent=(0, 1, 0, 1), n=3), dict(ax="junk", extent="junk", n="size")),
    Case(artists.DensityImage, dict(ax=AX, extent=(0, 1, 0, 1), n=3), dict(ax="junk", extent="junk", n="size")),
    Case(DENSITY.set_density, dict(values=np.ones(9)), dict(values="array"), name="DensityImage.set_density"),
    Case(artists.fixed_legend, dict(ax=AX, handles=[LEGEND_LINE]), dict(ax="junk", handles="junk")),
    Case(artists.live_title, dict(ax=AX, text="t"), dict(ax="junk", text="junk")),
    Case(generative.GaussianMixture, dict(means=[[0.0, 0.0]], stds=1.0), dict(means="array", stds="array", weights="array")),
    Case(generative.GaussianMixture.log_prob, dict(self=GM, x=P2), dict(x="array")),
    Case(generative.GaussianMixture.prob, dict(self=GM, x=P2), dict(x="array")),
    Case(generative.GaussianMixture.score, dict(self=GM, x=P2), dict(x="array")),
    Case(generative.GaussianMixture.responsibilities, dict(self=GM, x=P2), dict(x="array")),
    Case(generative.GaussianMixture.sample, dict(self=GM, n=4), dict(n="size", seed="seed", return_labels="junk")),
    Case(generative.GaussianMixture.diffused, dict(self=GM, alpha_bar=0.5), dict(alpha_bar="number")),
    Case(generative.GaussianMixture.mean, dict(self=GM), dict()),
    Case(generative.GaussianMixture.covariance, dict(self=GM), dict()),
    Case(generative.ring, dict(k=3), dict(k="size", radius="number", std="number")),
    Case(generative.toy_2d, dict(name="moons", n=8), dict(name="choice", n="size", seed="seed", noise="number")),
    Case(unsupervised.fit_density, dict(kind="mixture", x=X2, complexity=2), dict(kind="choice", x="array", complexity="size", seed="seed"), name="unsupervised.fit_density(mixture)"),
    Case(unsupervised.fit_density, dict(kind="kde", x=X2, complexity=0.5), dict(x="array", complexity="number"), name="unsupervised.fit_density(kde)"),
    Case(unsupervised.fit_density, dict(kind="gaussian", x=X2), dict(x="array"), name="unsupervised.fit_density(gaussian)"),
    Case(unsupervised.Density.log_prob, dict(self=KDE2, x=X2), dict(x="array")),
    Case(unsupervised.Density.sample, dict(self=KDE2, n=3), dict(n="size", seed="seed")),
    Case(unsupervised.tempered, dict(mixture=GM, temperature=0.5, modes=1), dict(mixture="junk", temperature="number", modes="size")),
    Case(generative.kde_log_likelihood, dict(train=P2, test=P2, bandwidth=0.5), dict(train="array", test="array", bandwidth="number")),
    Case(generative.frechet_distance, dict(mu1=np.zeros(2), C1=np.eye(2), mu2=np.ones(2), C2=np.eye(2)), dict(mu1="array", C1="array", mu2="array", C2="array")),
    Case(generative.frechet_distance_samples, dict(x=GM.sample(6), y=GM.sample(6, seed=1)), dict(x="array", y="array")),
    Case(generative.precision_recall_knn, dict(real=GM.sample(6), fake=GM.sample(6, seed=1), k=2), dict(real="array", fake="array", k="size")),
    Case(generative.mode_coverage, dict(samples=P2, means=GM.means, radius=0.5), dict(samples="array", means="array", radius="number", min_count="size")),
    Case(generative.wasserstein_1d, dict(x=V3, y=V3 + 1), dict(x="array", y="array")),
    Case(generative.kl_divergence, dict(p=[0.5, 0.5], q=[0.2, 0.8]), dict(p="array", q="array")),
    Case(generative.js_divergence, dict(p=[0.5, 0.5], q=[0.2, 0.8]), dict(p="array", q="array")),
    Case(generative.density_grid, dict(log_prob=GM.log_prob, extent=(0, 1, 0, 1), n=3), dict(log_prob="function", extent="array", n="size")),
    Case(gan.discriminator_loss, dict(logit_real=V3, logit_fake=V3), dict(logit_real="array", logit_fake="array")),
    Case(gan.discriminator_loss, dict(logit_real=torch.ones(3), logit_fake=torch.zeros(2)), dict(logit_real="tensor", logit_fake="tensor"), name="gan.discriminator_loss (tensors)"),
    Case(gan.generator_loss, dict(logit_fake=V3), dict(logit_fake="array", loss="choice")),
    Case(gan.optimal_discriminator, dict(p_real=[0.5, 0.0], p_fake=[0.25, 0.0]), dict(p_real="array", p_fake="array")),
    Case(gan.toy_gradients, dict(theta=1.0, phi=[0.0, 1.0], x_real=V3, z=V3), dict(theta="number", phi="array", x_real="array", z="array", loss="choice")),
    Case(gan.train_toy, dict(rounds=2, d_steps=2, n=3), dict(rounds="size", d_steps="size", g_steps="size", theta="number", phi="array", lr_d="number", lr_g="number", loss="choice", n="size", real_mean="number", seed="seed")),
    Case(gan.wasserstein_lp, dict(p=[0.5, 0.5, 0.0], q=[0.0, 0.5, 0.5]), dict(p="array", q="array", positions="array")),
    Case(gan.train_gan_2d, dict(steps=2, snapshot_every=1, width=4, batch=8, n_show=100, grid=3), dict(loss="choice", steps="size", snapshot_every="size", seed="seed", width="size", latent="size", batch="size", lr="number", n_show="size", grid="size", extent="array", radius="number", std="number")),
    Case(gan.ring_sweep, dict(losses=("minimax",), steps=1, seeds=(0,)), dict(losses="junk", steps="size", seeds="junk")),
    Case(gan.ring_sweep_results, dict(), dict()),
    Case(bp.toy_forward, dict(x=V3, y=V3, phi=np.ones(6)), dict(x="array", y="array", phi="array")),
    Case(bp.toy_backward, dict(x=V3, y=V3, phi=np.ones(6)), dict(x="array", y="array", phi="array")),
    Case(bp.finite_difference_gradient, dict(f=quad_loss, theta=V3), dict(f="function", theta="array", h="number")),
    Case(bp.he_variance, dict(fan_in=3), dict(fan_in="size")),
    Case(bp.relu_net_init, dict(widths=[3, 2], sigma2=0.5), dict(widths="sizes", sigma2="array", seed="seed", bias="number")),
    Case(bp.relu_net_forward, dict(params=PARAMS, X=np.ones((2, 3))), dict(params="junk", X="array")),
    Case(bp.relu_net_backward, dict(params=PARAMS, cache=CACHE, dout=np.ones((2, 2))), dict(params="junk", cache="junk", dout="array")),
    Case(bp.mse_loss, dict(out=np.ones((2, 2)), target=np.zeros((2, 2))), dict(out="array", target="array")),
    Case(bp.layer_statistics, dict(sigma2=2.0, depth=2, width=4, n_samples=4), dict(sigma2="number", depth="size", width="size", n_samples="size", seed="seed")),
    Case(conv.conv_output_length, dict(length=8, kernel_size=3), dict(length="size", kernel_size="size", stride="size", dilation="size", padding="size")),
    Case(conv.conv1d, dict(x=np.ones((1, 2, 8)), w=np.ones((3, 2, 3))), dict(x="array", w="array", stride="size", dilation="size", padding="size")),
    Case(conv.conv1d, dict(x=X_CONV, w=W_CONV), dict(x="tensor", w="tensor"), name="conv.conv1d (tensors)"),
    Case(conv.conv1d_matrix, dict(w=np.ones(3), length=8), dict(w="array", length="size", stride="size", dilation="size", padding="size")),
    Case(conv.conv2d, dict(x=np.ones((5, 6)), w=np.ones((2, 2))), dict(x="array", w="array", stride="junk", dilation="junk", padding="junk")),
    Case(conv.pool1d, dict(x=np.ones((2, 8))), dict(x="array", window="size", stride="size", mode="choice")),
    Case(conv.pool2d, dict(x=np.ones((6, 6))), dict(x="array", window="junk", stride="junk", mode="choice")),
    Case(conv.transposed_conv1d, dict(x=np.ones((1, 2, 5)), w=np.ones((2, 3, 3)), stride=2), dict(x="array", w="array", stride="size", dilation="size", padding="size", output_padding="size")),
    Case(conv.receptive_field, dict(kernel_sizes=[3, 3]), dict(kernel_sizes="sizes", strides="sizes", dilations="sizes")),
    Case(conv.receptive_field_map, dict(model=CONV_NET, length=9), dict(model="junk", length="size", position="size", in_channels="size")),
    Case(data.make_function_dataset, dict(f=lambda x: x.sum(1), n_var=2, n_train=5, n_test=5), dict(f="function", n_var="size", ranges="junk", n_train="size", n_test="size", seed="seed", dtype="dtype")),
    Case(data.knots, dict(), dict(features="junk")),
    Case(data.mnist1d_data, dict(num_samples=20), dict(num_samples="size", train_split="number", seed="seed", dtype="dtype")),
    Case(data.noisy_line, dict(n=5), dict(n="size", intercept="number", slope="number", noise="number", x_range="junk", seed="seed", noise_growth="number")),
    Case(data.binary_labels_1d, dict(n=5), dict(n="size", intercept="number", slope="number", x_range="junk", seed="seed")),
    Case(data.digits, dict(), dict()),
    Case(data.sample_image, dict(factor=8), dict(name="choice", factor="size")),
    Case(deep.forward, dict(x=V3, weights=W_DEEP, biases=B_DEEP), dict(x="array", weights="junk", biases="junk", act="choice")),
    Case(deep.random_network, dict(widths=[1, 3, 1]), dict(widths="sizes", seed="seed", bias_scale="number")),
    Case(deep.n_parameters, dict(widths=[1, 3, 1]), dict(widths="sizes")),
    Case(deep.compose, dict(functions=(np.sin,)), dict(functions="junk"), name="deep.compose"),
    Case(deep.compose_shallow, dict(net1=(V3, V3, np.ones(4)), net2=(V3, V3, np.ones(4))), dict(net1="junk", net2="junk")),
    Case(deep.from_shallow, dict(theta0=V3, theta1=V3, phi=np.ones(4)), dict(theta0="array", theta1="array", phi="array")),
    Case(deep.pieces_1d, dict(weights=W_DEEP, biases=B_DEEP), dict(weights="junk", biases="junk", lo="number", hi="number", act="choice")),
    Case(deep.count_regions_1d, dict(weights=W_DEEP, biases=B_DEEP), dict(weights="junk", biases="junk", lo="number", hi="number")),
    Case(deep.count_regions_grid, dict(y=np.abs(np.linspace(-1, 1, 9))), dict(y="array", rtol="number")),
    Case(deep.max_regions_deep, dict(width=3, depth=2), dict(width="size", depth="size")),
    Case(deep.sawtooth_network, dict(teeth=2, depth=2), dict(teeth="size", depth="size")),
    Case(deep.folding_network, dict(width=2, depth=2), dict(width="size", depth="size")),
    Case(fairness.loan_scores, dict(n=8), dict(n="size", base_rates="array", separation="array", shift="array", seed="seed")),
    Case(fairness.group_rates, dict(scores=SCORES, y=OUTCOMES, group=GROUPS, thresholds=np.array([0.0, 0.1])), dict(scores="array", y="array", group="array", thresholds="array")),
    Case(fairness.roc_by_group, dict(scores=SCORES, y=OUTCOMES, group=GROUPS), dict(scores="array", y="array", group="array")),
    Case(fairness.thresholds_for, dict(criterion="equal_opportunity", scores=SCORES, y=OUTCOMES, group=GROUPS, target=0.5), dict(criterion="choice", scores="array", y="array", group="array", target="number")),
    Case(fairness.biased_history, dict(n=8), dict(n="size", proxy_strength="number", label_bias="number", seed="seed")),
    Case(fairness.black_box, dict(x=np.ones((2, 4))), dict(x="array")),
    Case(fairness.black_box_gradient, dict(x=np.ones((2, 4))), dict(x="array")),
    Case(fairness.ice_curves, dict(f=fairness.black_box, x=np.ones((2, 4)), feature=1, grid=V3), dict(f="function", x="array", feature="size", grid="array")),
    Case(fairness.lime, dict(f=fairness.black_box, x0=np.ones(4), sigma=0.1, n=8), dict(f="function", x0="array", sigma="number", n="size", seed="seed")),
    Case(fairness.membership_auc, dict(member_losses=V3, nonmember_losses=X8), dict(member_losses="array", nonmember_losses="array")),
    Case(figures.show, dict(build=build, controls=(SLIDER,)), dict(build="function", controls="junk"), name="figures.show"),
    Case(figures.Slider, dict(name="a", min=0.0, max=1.0, step=0.5, default=0.5), dict(name="junk", min="number", max="number", step="number", default="number", frames="size")),
    Case(figures.Choice, dict(name="c", options=("a", "b")), dict(name="junk", options="junk")),
    Case(figures.runtime, dict(), dict()),
    Case(figures.InteractiveFigure, dict(build=build, controls=(SLIDER,)), dict(build="function", controls="junk")),
    Case(figures.Slider.format, dict(self=SLIDER, value=0.5), dict(value="number")),
    Case(figures.Slider.grid, dict(self=SLIDER, count=2), dict(count="size")),
    Case(figures.Choice.format, dict(self=CHOICE, value="x"), dict(value="junk")),
    Case(figures.Choice.grid, dict(self=CHOICE), dict(count="size")),
    Case(figures.InteractiveFigure.draw, dict(self=FIGURE, a=1.0), dict(a="number")),
    Case(figures.InteractiveFigure.png, dict(self=FIGURE, a=1.0, dpi=20), dict(a="number", dpi="size", compact="junk")),
    Case(figures.InteractiveFigure.static_plan, dict(self=FIGURE), dict()),
    Case(figures.InteractiveFigure.static_states, dict(self=FIGURE), dict()),
    Case(figures.InteractiveFigure.corner_values, dict(self=FIGURE), dict(limit="size")),
    Case(figures.InteractiveFigure.headless, dict(self=FIGURE), dict()),
    Case(figures.InteractiveFigure.static_html, dict(self=FIGURE), dict()),
    Case(figures.InteractiveFigure.widget, dict(self=FIGURE), dict()),
    Case(figures.InteractiveFigure.show, dict(self=FIGURE, mode="headless"), dict(mode="choice")),
    Case(figures.show_pictures, dict(pictures={"a": FIG_A, "b": FIG_B}), dict(pictures="junk", label="junk", title="function")),
    Case(glue.format_value, dict(value=1.5), dict(value="number", fmt="junk")),
    Case(glue.glue, dict(name="a-value", value=1.5), dict(name="junk", value="number", fmt="junk")),
    Case(graphs.karate, dict(), dict()),
    Case(graphs.adjacency, dict(edges=[(0, 1)], n_nodes=3), dict(edges="array", n_nodes="size", directed="junk")),
    Case(graphs.layout, dict(A=A3), dict(A="array")),
    Case(graphs.count_walks, dict(A=A3, length=2), dict(A="array", length="size")),
    Case(graphs.k_hop, dict(A=A3, node=0, k=1), dict(A="array", node="size", k="size")),
    Case(graphs.permute, dict(X=H3, A=A3, perm=[2, 0, 1]), dict(X="array", A="array", perm="array")),
    Case(graphs.aggregation_matrix, dict(A=A3), dict(A="array", kind="choice")),
    Case(graphs.aggregate, dict(H=H3, A=A3), dict(H="array", A="array", kind="choice")),
    Case(graphs.gcn_layer, dict(H=H3, A=A3, W=np.ones((2, 2)), b=np.zeros(2)), dict(H="array", A="array", W="array", b="array", aggregation="choice", activation="choice")),
    Case(graphs.graph_attention, dict(H=H3, A=A3, W=np.ones((2, 2)), a_target=np.ones(2), a_source=np.ones(2)), dict(H="array", A="array", W="array", a_target="array", a_source="array")),
    Case(graphs.readout, dict(H=H3, mask=np.ones(3, dtype=bool)), dict(H="array", kind="choice", mask="array")),
    Case(graphs.dirichlet_energy, dict(H=H3, A=A3), dict(H="array", A="array", normalized="junk")),
    Case(graphs.propagate, dict(H=H3, A=A3, steps=2), dict(H="array", A="array", steps="size", kind="choice", skip="number")),
    Case(graphs.motif_graphs, dict(n_graphs=2), dict(n_graphs="size", tree_size="junk", seed="seed")),
    Case(graphs.GCN, dict(in_dim=2, hidden=3, out_dim=2), dict(in_dim="size", hidden="size", out_dim="size", n_layers="size", aggregation="choice", readout="choice", seed="seed", dtype="dtype")),
    Case(GCN3.forward, dict(X=torch.ones(3, 2), A=torch.tensor(A3)), dict(X="tensor", A="tensor", mask="junk", return_hidden="junk"), name="GCN.forward"),
    Case(graphs.fit_gcn, dict(model=GCN3, X=torch.ones(3, 2), A=torch.tensor(A3), y=torch.tensor([0, 1, 0]), epochs=1), dict(model="junk", X="tensor", A="tensor", y="tensor", mask="junk", train="array", epochs="size", lr="number", seed="seed", record="function", every="size")),
    Case(graphs.classify_motifs, dict(TINY_MOTIFS), dict(aggregation="choice", readout="choice", seed="seed", n_graphs="size", n_train="size", epochs="size", hidden="size", n_layers="size", lr="number", feature="number", every="size")),
    Case(graphs.aggregation_sweep, dict(seeds=(0,), pairs=(("sum", "mean"),), **TINY_MOTIFS), dict(seeds="array", pairs="junk")),
    Case(graphs.aggregation_results, dict(), dict()),
    Case(graphs.draw_graph, dict(ax=AX, A=A3, pos=np.zeros((3, 2)), values=np.zeros(3)), dict(ax="junk", A="array", pos="array", values="array", cmap="junk", vmin="number", vmax="number", node_size="number")),
    Case(isometry.isometry_gap, dict(h=np.eye(3)), dict(h="array")),
    Case(isometry.batch_norm, dict(h=np.eye(3)), dict(h="array", eps="number")),
    Case(isometry.standard_batch_norm, dict(h=np.eye(3)), dict(h="array", eps="number")),
    Case(isometry.layer_norm, dict(h=np.eye(3)), dict(h="array", eps="number")),
    Case(isometry.haar_orthogonal, dict(d=3), dict(d="size", generator="junk", dtype="dtype")),
    Case(isometry.BNMLP, dict(width=4, depth=2), dict(width="size", depth="size", init="choice", activation="choice", gain_exponent="number", norm="choice", seed="seed", in_dim="size", out_dim="size", dtype="dtype")),
    Case(BN.forward, dict(x=XT), dict(x="tensor", return_hidden="junk"), name="BNMLP.forward"),
    Case(isometry.BNMLP.gain, dict(self=BN, layer=2), dict(layer="size")),
    Case(isometry.gradient_log_norms, dict(model=BN, x=XT), dict(model="junk", x="tensor", y="array")),
    Case(isometry.experiment, dict(depth=2, width=4, batch=4), dict(EXPERIMENT_KINDS, depth="size")),
    Case(isometry.gap_per_layer, dict(width=4, batch=4, depth=2), dict(EXPERIMENT_KINDS, depth="size")),
    Case(isometry.log_grad_norm_vs_depth, dict(depths=[1, 2], width=4, batch=4), dict(EXPERIMENT_KINDS, depths="array")),
    Case(isometry.shaping_sweep, dict(activations=("tanh",), gain_exponents=(0.4,), depths=[1, 2]), dict(activations="junk", gain_exponents="junk", depths="junk")),
    Case(isometry.shaping_sweep_results, dict(), dict()),
    Case(isometry.depth_results, dict(), dict()),
    Case(isometry.explosion_rate, dict(depths=[1, 2, 3], log_norms=[0.0, 0.5, 1.0]), dict(depths="array", log_norms="array")),
    Case(isometry.degenerate_batch, dict(n=3, d=3), dict(n="size", d="size", spread="number", seed="seed")),
    Case(isometry.near_duplicate_batch, dict(n=3, d=3), dict(n="size", d="size", distance="number", seed="seed")),
    Case(isometry.train_deep_bn, dict(depth=2, width=4, steps=2, batch=4), dict(depth="size", width="size", init="choice", activation="choice", gain_exponent="number", norm="choice", steps="size", batch="size", lr="number", seed="seed")),
    Case(losses.logsumexp, dict(z=V3), dict(z="array", axis="size")),
    Case(losses.softmax, dict(z=V3), dict(z="array", axis="size")),
    Case(losses.log_softmax, dict(z=V3), dict(z="array", axis="size")),
    Case(losses.sigmoid, dict(z=V3), dict(z="array")),
    Case(losses.softplus, dict(z=V3), dict(z="array")),
    Case(losses.gaussian_nll, dict(y=V3, mean=V3, sigma=np.ones(3)), dict(y="array", mean="array", sigma="array", reduction="choice")),
    Case(losses.bernoulli_nll, dict(y=np.array([0.0, 1.0, 1.0]), logits=V3), dict(y="array", logits="array", reduction="choice")),
    Case(losses.categorical_nll, dict(labels=np.array([0, 1]), logits=np.ones((2, 3))), dict(labels="array", logits="array", reduction="choice")),
    Case(nn.mlp, dict(widths=[2, 3, 1]), dict(widths="sizes", activation="choice", seed="seed")),
    Case(nn.mnist1d_cnn, dict(channels=2, layers=1, length=5), dict(channels="size", layers="size", length="size", n_classes="size", seed="seed")),
    Case(nn.n_parameters, dict(model=LIN), dict(model="junk")),
    Case(optim.gd_step, dict(theta=V3, grad=V3, lr=0.1), dict(theta="array", grad="array", lr="number")),
    Case(optim.momentum_step, dict(theta=V3, m=V3, grad=V3, lr=0.1), dict(theta="array", m="array", grad="array", lr="number", beta="number")),
    Case(optim.adam_step, dict(theta=V3, m=V3, v=np.ones(3), grad=V3, t=1), dict(theta="array", m="array", v="array", grad="array", t="size", lr="number", beta1="number", beta2="number", eps="number")),
    Case(optim.minibatch_indices, dict(n_data=10, batch_size=3, steps=4), dict(n_data="size", batch_size="size", steps="size", seed="seed")),
    Case(optim.optimize, dict(grad=quad_grad, theta0=V3, steps=3), dict(grad="function", theta0="array", method="choice", steps="size", lr="number", beta="number", beta2="number", eps="number", seed="seed")),
    Case(optim.bracket_minimum, dict(f=parabola), dict(f="function", step="number", grow="number", max_iter="size"), domain=(optim.NoDescent,)),
    Case(optim.golden_section, dict(f=parabola, a=0.0, b=3.0), dict(f="function", a="number", b="number", tol="number", max_iter="size")),
    Case(optim.line_search_descent, dict(loss=quad_loss, grad=quad_grad, theta0=V3, steps=2), dict(loss="function", grad="function", theta0="array", steps="size", step="number", tol="number")),
    Case(optim.numerical_hessian, dict(grad=quad_grad, theta=V3), dict(grad="function", theta="array", h="number")),
    Case(optim.critical_points, dict(grad=quad_grad, starts=[[0.5, 0.5, 0.5]]), dict(grad="function", starts="array", tol="number", merge="number")),
    Case(optim.minibatch_variance, dict(example_grads=np.ones((4, 2)), batch_size=2), dict(example_grads="array", batch_size="size")),
    Case(optim.wave_packet, dict(x=V3, phi=np.array([1.0, 2.0])), dict(x="array", phi="array")),
    Case(optim.wave_packet_data, dict(n=5), dict(n="size", phi="array", noise="number", seed="seed")),
    Case(optim.WavePacket, dict(x=V3, y=V3), dict(x="array", y="array")),
    Case(optim.WavePacket.loss, dict(self=WAVES, phi=np.array([1.0, 2.0]), idx=[0, 2]), dict(phi="array", idx="array")),
    Case(optim.WavePacket.example_grads, dict(self=WAVES, phi=np.array([1.0, 2.0])), dict(phi="array")),
    Case(optim.WavePacket.grad, dict(self=WAVES, phi=np.array([1.0, 2.0]), idx=[0, 2]), dict(phi="array", idx="array")),
    Case(performance.target_1d, dict(x=V3), dict(x="array")),
    Case(performance.sample_1d, dict(n=5, noise_std=0.1), dict(n="size", noise_std="number", seed="seed", x_range="junk", design="choice")),
    Case(performance.hinge_features, dict(x=V3, n_hidden=3), dict(x="array", n_hidden="size", x_range="junk")),
    Case(performance.least_squares, dict(phi=PHI, y=YPHI), dict(phi="array", y="array", rcond="number")),
    Case(performance.decompose, dict(predictions=np.ones((3, 4)), f_test=np.zeros(4), noise_std=0.1), dict(predictions="array", f_test="array", noise_std="number")),
    Case(performance.bias_variance_components, dict(capacities=[2], n_train=4, n_datasets=2, n_test=3), dict(capacities="array", n_train="size", n_datasets="size", n_test="size", seed="seed", x_range="junk")),
    Case(performance.bias_variance, dict(n_hidden=2, noise_std=0.1, n_train=4, n_datasets=2, n_test=3), dict(n_hidden="size", noise_std="number", n_train="size", n_datasets="size", n_test="size", seed="seed")),
    Case(performance.monte_carlo_test_error, dict(predictions=np.ones((3, 4)), f_test=np.zeros(4), noise_std=0.1, n_draws=2), dict(predictions="array", f_test="array", noise_std="number", n_draws="size", seed="seed")),
    Case(performance.random_relu_features, dict(x=V3, n_features=4), dict(x="array", n_features="size", seed="seed", scale="number")),
    Case(performance.double_descent, dict(x=np.ones((4, 2)), targets=np.eye(4)[:, :2], x_test=np.ones((3, 2)), targets_test=np.eye(3)[:, :2], widths=[2], n_draws=1), dict(x="array", targets="array", x_test="array", targets_test="array", widths="array", ridges="array", n_draws="size", seed="seed", scale="number", rcond="number")),
    Case(performance.digits_data, dict(n_train=10, n_test=10), dict(n_train="size", n_test="size", label_noise="number", seed="seed")),
    Case(performance.run_double_descent, dict(n_train=10, n_test=10, widths=(4,), n_draws=1), dict(n_train="size", n_test="size", widths="array", n_draws="size", label_noise="number", seed="seed", scale="number", ridges="array")),
    Case(performance.double_descent_results, dict(), dict()),
    Case(performance.ball_volume, dict(dim=3), dict(dim="size", radius="number", log="junk")),
    Case(performance.shell_fraction, dict(dim=3, eps=0.1), dict(dim="array", eps="array")),
    Case(performance.pairwise_distances, dict(points=np.eye(3)), dict(points="array")),
    Case(performance.distance_concentration, dict(dims=[2, 3], n_points=4), dict(dims="array", n_points="size", seed="seed")),
    Case(regression.line, dict(x=V3, phi0=0.1, phi1=0.2), dict(x="array", phi0="number", phi1="number")),
    Case(regression.least_squares_loss, dict(phi0=0.1, phi1=0.2, x=X8, y=Y8), dict(phi0="array", phi1="array", x="array", y="array")),
    Case(regression.loss_surface, dict(x=X8, y=Y8, phi0_values=V3, phi1_values=V3), dict(x="array", y="array", phi0_values="array", phi1_values="array")),
    Case(regression.loss_gradient, dict(phi0=0.1, phi1=0.2, x=X8, y=Y8), dict(phi0="number", phi1="number", x="array", y="array")),
    Case(regression.fit_line, dict(x=X8, y=Y8), dict(x="array", y="array")),
    Case(regression.design_matrix, dict(x=X8), dict(x="array", degree="size")),
    Case(regression.fit_polynomial, dict(x=X8, y=Y8, degree=2), dict(x="array", y="array", degree="size")),
    Case(regression.polynomial, dict(x=X8, coef=V3), dict(x="array", coef="array")),
    Case(reg.ridge, dict(phi=PHI, y=YPHI, lam=0.1), dict(phi="array", y="array", lam="number", rcond="number")),
    Case(reg.ridge_path, dict(phi=PHI, y=YPHI, lams=[0.1, 1.0]), dict(phi="array", y="array", lams="array", rcond="number")),
    Case(reg.gd_least_squares, dict(phi=PHI * 0.1, y=YPHI, lr=0.1, steps=[0, 1, 5]), dict(phi="array", y="array", lr="number", steps="array", w0="array")),
    Case(reg.early_stopping, dict(val_errors=[3.0, 2.0, 2.5], patience=1), dict(val_errors="array", patience="size")),
    Case(reg.bootstrap_fits, dict(phi=PHI, y=YPHI, n_models=2), dict(phi="array", y="array", n_models="size", lam="number", seed="seed")),
    Case(reg.bayes_posterior, dict(phi=PHI, y=YPHI, prior_std=1.0, noise_std=0.5), dict(phi="array", y="array", prior_std="number", noise_std="number")),
    Case(reg.bayes_predictive, dict(phi_test=PHI, mean=np.zeros(3), cov=np.eye(3)), dict(phi_test="array", mean="array", cov="array", noise_std="number")),
    Case(reg.augment_shifts, dict(x=np.ones((2, 4)), y=np.array([0, 1]), shifts=[1]), dict(x="array", y="array", shifts="array")),
    Case(reg.input_noise_moments, dict(x=X8, n_hidden=3, noise_std=0.1), dict(x="array", n_hidden="size", noise_std="number", x_range="junk")),
    Case(reg.input_noise_fit, dict(x=X8, y=Y8, n_hidden=3, noise_std=0.1), dict(x="array", y="array", n_hidden="size", noise_std="number", x_range="junk", rcond="number")),
    Case(reg.multitask_basis, dict(phi=PHI, y=np.stack([YPHI, YPHI**2], 1), rank=1), dict(phi="array", y="array", rank="size", lam="number", rcond="number")),
    Case(reg.mask_signals, dict(x=np.ones((3, 6)), length=2), dict(x="array", length="size", seed="seed")),
    Case(reg.masked_pretext_train, dict(x=np.ones((4, 6)), hidden=(3,), mask_length=2, steps=2, batch_size=2), dict(x="array", hidden="sizes", mask_length="size", steps="size", batch_size="size", lr="number", seed="seed")),
    Case(reg.train_classifier, dict(x=np.ones((4, 6)), labels=np.array([0, 1, 0, 1]), hidden=(3,), steps=2), dict(x="array", labels="array", hidden="sizes", n_classes="size", steps="size", lr="number", seed="seed")),
    Case(reg.apply_network, dict(net=torch.nn.Linear(3, 2), x=np.ones((2, 3))), dict(net="junk", x="array")),
    Case(reg.linear_probe, dict(features=PHI, labels=np.array([0, 1, 2, 0, 1, 2])), dict(features="array", labels="array", lam="number", n_classes="size", tol="number")),
    Case(reg.product_loss, dict(theta=np.array([1.0, 2.0])), dict(theta="array")),
    Case(reg.gradient_descent, dict(grad=quad_grad, theta0=V3, lr=0.1, steps=3), dict(grad="function", theta0="array", lr="number", steps="size")),
    Case(reg.gradient_flow, dict(grad=quad_grad, theta0=V3, duration=0.5, n_steps=4), dict(grad="function", theta0="array", duration="number", n_steps="size")),
    Case(reg.modified_gradient, dict(grad=quad_grad, hess=lambda t: 2 * np.eye(3), lr=0.1), dict(grad="function", hess="function", lr="number")),
    Case(res.ResMLP.branch, dict(self=RES, k=1, h=torch.ones(3, 4)), dict(k="size", h="tensor")),
    Case(res.ResMLP.forward, dict(self=RES, x=torch.ones(3, 3)), dict(x="tensor", return_hidden="junk", skip="junk")),
    Case(res.ResMLP.extra_repr, dict(self=RES), dict()),
    Case(res.ResMLP, dict(depth=2, width=4), dict(depth="size", width="size", residual="junk", norm="choice", branch_scale="number", zero_init="junk", in_dim="size", out_dim="size", bias_std="number", seed="seed", dtype="dtype")),
    Case(res.input_gradients_1d, dict(model=RES_1D, x=V3), dict(model="junk", x="array")),
    Case(res.autocorrelation, dict(g=V3), dict(g="array")),
    Case(res.residual_variance, dict(K=3, alpha=0.5), dict(K="array", alpha="number", norm="choice", v0="number")),
    Case(res.affine_batch_norm, dict(h=np.eye(3), gamma=V3, delta=V3), dict(h="array", gamma="array", delta="array", eps="number")),
    Case(res.activation_variances, dict(model=RES, x=XTRAIN), dict(model="junk", x="tensor")),
    Case(res.gradient_norms, dict(model=RES, x=XTRAIN, y=YTRAIN), dict(model="junk", x="tensor", y="tensor", loss_fn="function")),
    Case(res.lesion_accuracies, dict(model=RES, x=XTRAIN, y=YTRAIN), dict(model="junk", x="tensor", y="tensor")),
    Case(res.variant_model, dict(variant="plain", depth=2, width=4), dict(variant="choice", depth="size", width="size", seed="seed")),
    Case(res.train_variant, dict(variant="residual + BN", depth=2, width=4, epochs=1, batch_size=4, data=TINY_MNIST1D), dict(variant="choice", depth="size", seed="seed", width="size", epochs="size", batch_size="size", lr="number", data="junk")),
    Case(res.run_residual_depth, dict(depths=(1,), variants=("plain",), seeds=(0,), width=2, epochs=1, batch_size=1000), dict(depths="sizes", variants="junk", seeds="array", width="size", epochs="size", batch_size="size", lr="number", progress="junk")),
    Case(res.residual_depth_results, dict(), dict()),
    Case(flows.piecewise_linear, dict(h=X8, phi=PHI5), dict(h="array", phi="array", inverse="junk")),
    Case(flows.piecewise_linear, dict(h=torch.tensor(X8), phi=torch.tensor(PHI5)), dict(h="tensor", phi="tensor"), name="flows.piecewise_linear (tensors)"),
    Case(flows.transform_1d, dict(name="affine", param=2.0), dict(name="choice", param="number")),
    Case(T1D.forward, dict(z=V3), dict(z="array"), name="Transform1D.forward"),
    Case(T1D.inverse, dict(x=V3), dict(x="array"), name="Transform1D.inverse"),
    Case(T1D.log_derivative, dict(z=V3), dict(z="array"), name="Transform1D.log_derivative"),
    Case(T1D.base_log_prob, dict(z=V3), dict(z="array"), name="Transform1D.base_log_prob"),
    Case(T1D.log_prob, dict(x=V3), dict(x="array"), name="Transform1D.log_prob"),
    Case(T1D.sample, dict(n=5), dict(n="size", seed="seed"), name="Transform1D.sample"),
    Case(flows.AffineCoupling, dict(dim=2, hidden=4), dict(dim="size", mask="array", hidden="size", scale_bound="number", seed="seed")),
    Case(flows.AffineCoupling.forward, dict(self=COUPLING, z=ZT), dict(z="tensor")),
    Case(flows.AffineCoupling.inverse, dict(self=COUPLING, x=ZT), dict(x="tensor")),
    Case(flows.RealNVP, dict(dim=2, n_layers=2, hidden=4), dict(dim="size", n_layers="size", hidden="size", scale_bound="number", seed="seed")),
    Case(flows.RealNVP.forward, dict(self=NVP, z=ZT), dict(z="tensor")),
    Case(flows.RealNVP.inverse, dict(self=NVP, x=ZT), dict(x="tensor")),
    Case(flows.RealNVP.log_prob, dict(self=NVP, x=ZT), dict(x="tensor")),
    Case(flows.RealNVP.sample, dict(self=NVP, n=3), dict(n="size", seed="seed")),
    Case(flows.RealNVP.trajectory, dict(self=NVP, points=np.ones((3, 2))), dict(points="array", direction="choice")),
    Case(flows.fit_flow, dict(data=PHI[:, :2], n_steps=2, batch_size=4, every=1), dict(flow="junk", data="array", n_steps="size", lr="number", batch_size="size", seed="seed", every="size", decay="junk", progress="junk"), fresh=dict(flow=small_flow)),
    Case(flows.fixed_point_inverse, dict(g=np.sin, y=V3, n=3), dict(g="function", y="array", n="size", z0="array", return_history="junk")),
    Case(flows.moons_sweep, dict(seeds=(0,), n_steps=1), dict(seeds="junk", n_steps="size")),
    Case(flows.moons_sweep_results, dict(), dict()),
    Case(rl.discounted_returns, dict(rewards=V3, gamma=0.9), dict(rewards="array", gamma="number")),
    Case(rl.q_values, dict(P=ENV.P, R=ENV.R, V=np.zeros(ENV.n_states), gamma=0.9), dict(DP_KINDS, V="array")),
    Case(rl.greedy_policy, dict(Q=PI_RL), dict(Q="array")),
    Case(rl.policy_matrix, dict(P=ENV.P, policy=np.zeros(ENV.n_states)), dict(P="array", policy="array")),
    Case(rl.policy_evaluation, dict(P=ENV.P, R=ENV.R, policy=PI_RL, gamma=0.9), dict(DP_KINDS, policy="array", tol="number", sweeps="size")),
    Case(rl.value_iteration, dict(P=ENV.P, R=ENV.R, gamma=0.9), dict(DP_KINDS, tol="number", sweeps="size")),
    Case(rl.policy_iteration, dict(P=ENV.P, R=ENV.R, gamma=0.9), dict(DP_KINDS, policy="array")),
    Case(rl.epsilon_greedy, dict(q=V3, epsilon=0.1), dict(q="array", epsilon="number")),
    Case(rl.GridWorld, dict(layout=["S.", ".G"]), dict(layout="junk", slip="number", step_reward="number", rewards="junk")),
    Case(rl.GridWorld.step, dict(self=ENV, state=0, action=1, rng=0), dict(state="size", action="size", rng="seed")),
    Case(rl.GridWorld.to_grid, dict(self=ENV, values=np.zeros(ENV.n_states)), dict(values="array")),
    Case(rl.GridWorld.episode, dict(self=ENV, policy=PI_RL, max_steps=5), dict(policy="array", seed="seed", max_steps="size")),
    Case(rl.penguin, dict(), dict(slip="number")),
    Case(rl.cliff, dict(width=4, height=2), dict(width="size", height="size")),
    Case(rl.mc_evaluation, dict(env=ENV, policy=PI_RL, episodes=2), dict(LEARN_KINDS, policy="array", alpha="number")),
    Case(rl.td_evaluation, dict(env=ENV, policy=PI_RL, episodes=2), dict(LEARN_KINDS, policy="array", alpha="number")),
    Case(rl.mc_control, dict(env=ENV, episodes=2, snapshots=[0, 2]), dict(CONTROL_KINDS)),
    Case(rl.sarsa, dict(env=ENV, episodes=2, snapshots=[0, 2]), dict(CONTROL_KINDS)),
    Case(rl.q_learning, dict(env=ENV, episodes=2, snapshots=[0, 2]), dict(CONTROL_KINDS)),
    Case(rl.softmax_policy, dict(theta=TH_RL), dict(theta="array")),
    Case(rl.policy_gradient, dict(env=ENV, theta=TH_RL), dict(env="junk", theta="array", gamma="number")),
    Case(rl.episode_gradient, dict(pi=PI_RL, states=[0, 1], actions=[2, 3], rewards=[0.0, 1.0], gamma=0.9), dict(pi="array", states="array", actions="array", rewards="array", gamma="number", baseline="array")),
    Case(rl.reinforce_gradient, dict(env=ENV, theta=TH_RL, baseline=0.0), dict(env="junk", theta="array", gamma="number", episodes="size", baseline="array", seed="seed", max_steps="size")),
    Case(rl.reinforce, dict(env=ENV, episodes=4, batch=2), dict(env="junk", episodes="size", lr="number", gamma="number", batch="size", baseline="choice", lr_baseline="number", seed="seed", max_steps="size")),
    Case(vae.kl_gaussian, dict(mu=PHI, logvar=PHI), dict(mu="array", logvar="array")),
    Case(vae.kl_gaussian, dict(mu=XT, logvar=XT), dict(mu="tensor", logvar="tensor"), name="vae.kl_gaussian (tensors)"),
    Case(vae.log_mean_exp, dict(a=PHI), dict(a="array", axis="junk")),
    Case(vae.log_mean_exp, dict(a=XT), dict(a="tensor", axis="junk"), name="vae.log_mean_exp (tensors)"),
    Case(vae.CurveModel, dict(sigma=0.2, n_grid=101), dict(sigma="number", n_grid="size")),
    Case(vae.CurveModel.curve, dict(self=CURVE, z=V3), dict(z="array")),
    Case(vae.CurveModel.log_joint, dict(self=CURVE, x=np.ones((2, 2)), z=V3), dict(x="array", z="array")),
    Case(vae.CurveModel.log_evidence, dict(self=CURVE, x=np.ones((2, 2))), dict(x="array")),
    Case(vae.CurveModel.posterior, dict(self=CURVE, x=np.ones((2, 2))), dict(x="array")),
    Case(vae.CurveModel.sample, dict(self=CURVE, n=3), dict(n="size", seed="seed")),
    Case(vae.ConjugateGaussian, dict(), dict(w="number", b="number", noise_std="number")),
    Case(vae.ConjugateGaussian.log_joint, dict(self=CONJ, x=V3, z=V3), dict(x="array", z="array")),
    Case(vae.ConjugateGaussian.log_evidence, dict(self=CONJ, x=V3), dict(x="array")),
    Case(vae.ConjugateGaussian.posterior, dict(self=CONJ, x=V3), dict(x="array")),
    Case(vae.ConjugateGaussian.elbo, dict(self=CONJ, x=V3, q_mean=V3, q_std=np.ones(3)), dict(x="array", q_mean="array", q_std="array")),
    Case(vae.ConjugateGaussian.kl_to_posterior, dict(self=CONJ, x=V3, q_mean=V3, q_std=np.ones(3)), dict(x="array", q_mean="array", q_std="array")),
    Case(vae.reparam_grad, dict(f=vae_f, mu=0.1, log_sigma=-0.2, n=4), dict(f="function", mu="number", log_sigma="number", n="size", seed="seed")),
    Case(vae.score_grad, dict(f=vae_f, mu=0.1, log_sigma=-0.2, n=4), dict(f="function", mu="number", log_sigma="number", n="size", seed="seed", baseline="number")),
    Case(vae.expected_value, dict(f=vae_f, mu=0.1, log_sigma=-0.2), dict(f="function", mu="number", log_sigma="number")),
    Case(vae.expected_gradient, dict(f=vae_f, mu=0.1, log_sigma=-0.2), dict(f="function", mu="number", log_sigma="number")),
    Case(vae.VAE, dict(n_in=4, n_latent=2, hidden=3), dict(n_in="size", n_latent="size", hidden="size", decoder_std="number", seed="seed")),
    Case(vae.VAE.forward, dict(self=VAE4, x=X_VAE), dict(x="tensor"), name="VAE.forward"),
    Case(vae.VAE.encode, dict(self=VAE4, x=X_VAE), dict(x="tensor"), name="VAE.encode"),
    Case(vae.VAE.decode, dict(self=VAE4, z=torch.zeros(3, 2)), dict(z="tensor"), name="VAE.decode"),
    Case(vae.VAE.elbo, dict(self=VAE4, x=X_VAE), dict(x="tensor", beta="number", seed="seed"), name="VAE.elbo"),
    Case(vae.VAE.kl_per_dimension, dict(self=VAE4, x=X_VAE), dict(x="tensor"), name="VAE.kl_per_dimension"),
    Case(vae.VAE.log_weights, dict(self=VAE4, x=X_VAE, n_samples=3), dict(x="tensor", n_samples="size", seed="seed"), name="VAE.log_weights"),
    Case(vae.VAE.log_likelihood, dict(self=VAE4, x=X_VAE, n_samples=3), dict(x="tensor", n_samples="size", seed="seed"), name="VAE.log_likelihood"),
    Case(vae.VAE.sample, dict(self=VAE4, n=2), dict(n="size", seed="seed"), name="VAE.sample"),
    Case(vae.vae_loss, dict(), dict(beta="number")),
    Case(vae.fit_vae, dict(x=X_VAE, epochs=1, hidden=3, batch_size=2), dict(x="tensor", n_latent="size", beta="number", epochs="size", hidden="size", decoder_std="number", lr="number", batch_size="size", seed="seed", callback="function")),
    Case(shallow.activation, dict(name="relu"), dict(name="choice")),
    Case(shallow.shallow_1d, dict(x=V3, theta0=V3, theta1=V3, phi=np.ones(4)), dict(x="array", theta0="array", theta1="array", phi="array", act="choice")),
    Case(shallow.joints_1d, dict(theta0=V3, theta1=V3), dict(theta0="array", theta1="array")),
    Case(shallow.region_map_2d, dict(W=np.ones((2, 2)), b=np.zeros(2), res=8), dict(W="array", b="array", lim="number", res="size")),
    Case(shallow.count_regions_2d, dict(W=np.ones((2, 2)), b=np.zeros(2), res=8), dict(W="array", b="array", lim="number", res="size")),
    Case(shallow.max_regions, dict(n_hidden=3, n_inputs=2), dict(n_hidden="size", n_inputs="size")),
    Case(shallow.hinge_interpolant, dict(f=np.sin, n_hidden=3), dict(f="function", n_hidden="size", lo="number", hi="number")),
    Case(und.randomize, dict(x=np.ones((6, 2)), y=np.arange(6) % 3), dict(x="array", y="array", what="choice", fraction="number", n_classes="size", seed="seed")),
    Case(und.parameters, dict(model=NET), dict(model="junk")),
    Case(und.loss_at, dict(model=NET, loss_fn=CE, x=XTRAIN, y=YTRAIN), dict(model="junk", loss_fn="function", x="tensor", y="tensor")),
    Case(und.interpolate_loss, dict(model=NET, start=NET_P, end=NET_P, loss_fn=CE, x=XTRAIN, y=YTRAIN, alphas=V3), dict(model="junk", start="junk", end="junk", loss_fn="function", x="tensor", y="tensor", alphas="array")),
    Case(und.filter_normalized, dict(params=NET_P), dict(params="junk", seed="seed", normalization="choice")),
    Case(und.random_slice, dict(model=NET, params=NET_P, loss_fn=CE, x=XTRAIN, y=YTRAIN, n=3), dict(model="junk", params="junk", loss_fn="function", x="tensor", y="tensor", span="number", n="size", seed="seed", normalization="choice")),
    Case(und.sharpness, dict(loss=lambda p: float((p**2).sum()), params=torch.ones(3), radius=0.1, n_directions=2), dict(loss="function", params="junk", radius="number", n_directions="size", seed="seed", normalization="choice")),
    Case(und.rescale_layers, dict(params=NET_P, first="0.weight", second="2.weight", factor=2.0), dict(params="junk", first="choice", second="choice", factor="number")),
    Case(und.magnitude_mask, dict(w=np.eye(3), sparsity=0.5), dict(w="array", sparsity="number")),
    Case(und.magnitude_masks, dict(params=NET_P, sparsity=0.5), dict(params="junk", sparsity="number")),
    Case(und.apply_masks, dict(model=torch.nn.Linear(2, 2), masks={"weight": torch.eye(2, dtype=torch.bool)}), dict(model="junk", masks="junk")),
    Case(und.sparsity_of, dict(model=NET), dict(model="junk")),
    Case(und.fgsm, dict(model=NET, x=XUNIT, y=YTRAIN, eps=0.1), dict(model="junk", x="tensor", y="tensor", eps="number", loss_fn="function", clip="junk")),
    Case(und.fit_classifier, dict(x=XTRAIN, y=YTRAIN, x_test=XTRAIN, y_test=YTRAIN, hidden=(3,), epochs=1, batch_size=4), dict(x="tensor", y="tensor", x_test="tensor", y_test="tensor", hidden="sizes", epochs="size", batch_size="size", lr="number", seed="seed", init="junk", masks="junk", every="size", optimizer="choice")),
    Case(und.width_for_budget, dict(depth=2, budget=500), dict(depth="size", budget="size", n_in="size", n_out="size")),
    Case(und.run_lottery, dict(TINY, hidden=(4,), sparsities=(0.0, 0.5), seeds=(0,)), dict(n_train="size", epochs="size", batch_size="size", hidden="sizes", sparsities="array", seeds="array")),
    Case(und.lottery_results, dict(), dict()),
    Case(und.run_depth_width, dict(TINY, budget=100, depths=(1,), seeds=(0,)), dict(n_train="size", epochs="size", budget="size", depths="array", seeds="array")),
    Case(und.depth_width_results, dict(), dict()),
    Case(train.seed_everything, dict(seed=1), dict(seed="seed")),
    Case(train.device_of, dict(model=LIN), dict(model="junk")),
    Case(train.fit, dict(model=LIN, loss_fn=CE, x=XTRAIN, y=YTRAIN, epochs=1, batch_size=4), dict(model="junk", loss_fn="function", x="tensor", y="tensor", epochs="size", batch_size="size", lr="number", seed="seed", metric="function", progress="junk", optimizer="junk")),
    Case(train.snapshot, dict(model=LIN), dict(model="junk")),
    Case(train.steps, dict(step_fn=lambda i: {"a": 1.0}, n=3, record=lambda i: i), dict(step_fn="function", n="size", record="function", every="size", seed="seed", progress="junk", desc="junk")),
    Case(train.accuracy, dict(model=LIN, x=XTRAIN, y=YTRAIN), dict(model="junk", x="tensor", y="tensor")),
    Case(train.evaluate, dict(model=LIN, loss_fn=CE, x=XTRAIN, y=YTRAIN), dict(model="junk", loss_fn="function", x="tensor", y="tensor")),
    Case(att.softmax, dict(z=V3), dict(z="array", axis="size")),
    Case(att.softmax_jacobian, dict(z=V3), dict(z="array")),
    Case(att.attention, dict(Q=XA, K=XA, V=XA), dict(Q="array", K="array", V="array", mask="junk", scale="junk")),
    Case(att.self_attention, dict(X=XA, Wq=WA, Wk=WA, Wv=WA), dict(X="array", Wq="array", Wk="array", Wv="array", causal="junk")),
    Case(att.causal_mask, dict(n=3), dict(n="size")),
    Case(att.multihead_attention, dict(X=XA, Wq=np.ones((3, 4)), Wk=np.ones((3, 4)), Wv=np.ones((3, 4)), Wo=np.ones((4, 2)), n_heads=2), dict(X="array", Wq="array", Wk="array", Wv="array", Wo="array", n_heads="size", causal="junk")),
    Case(att.sinusoidal_positions, dict(n=3, d=4), dict(n="size", d="size", base="number")),
    Case(att.attention_entropy, dict(A=np.full((3, 3), 1 / 3)), dict(A="array")),
    Case(att.MultiHeadAttention, dict(d_model=4, n_heads=2), dict(d_model="size", n_heads="size", bias="junk", seed="seed")),
    Case(MHA.forward, dict(x=XMHA), dict(x="tensor", context="junk", causal="junk", return_attention="junk"), name="MultiHeadAttention.forward"),
    Case(att.TransformerLayer, dict(d_model=4, n_heads=2), dict(d_model="size", n_heads="size", d_ff="size", seed="seed")),
    Case(att.TinyTransformer, dict(vocab_size=5, max_len=4, d_model=8), dict(vocab_size="size", max_len="size", d_model="size", n_heads="size", n_layers="size", d_ff="size", positions="choice", causal="junk", seed="seed")),
    Case(TINY_TF.forward, dict(tokens=TOK), dict(tokens="tensor"), name="TinyTransformer.forward"),
    Case(TINY_TF.attention_maps, dict(tokens=TOK), dict(tokens="tensor"), name="TinyTransformer.attention_maps"),
    Case(att.sequence_task, dict(task="sort", n=3), dict(task="choice", n="size", length="size", vocab="size", seed="seed")),
    Case(att.sequence_accuracy, dict(model=TINY_TF, x=TOK, y=TOK), dict(model="junk", x="tensor", y="tensor")),
    Case(att.train_sequence_task, dict(steps=2, length=3, vocab=4, batch=4, d_model=4, every=1, n_test=4), dict(task="choice", steps="size", length="size", vocab="size", batch="size", d_model="size", n_heads="size", n_layers="size", lr="number", positions="choice", examples="size", every="size", n_test="size", seed="seed", progress="junk")),
    Case(txt.corpus, dict(max_chars=100), dict(max_chars="size")),
    Case(txt.bpe_train, dict(text="low lower lowest", n_merges=3), dict(text="junk", n_merges="size")),
    Case(txt.bpe_encode, dict(text="lower", merges=[("l", "o")]), dict(text="junk", merges="junk")),
    Case(txt.NGramLM, dict(order=3), dict(order="size")),
    Case(txt.NGramLM(2).fit, dict(text="abcab"), dict(text="junk"), name="NGramLM.fit"),
    Case(LM.probs, dict(context="the"), dict(context="junk"), name="NGramLM.probs"),
    Case(LM.log_prob, dict(text="at"), dict(text="junk", context="junk"), name="NGramLM.log_prob"),
    Case(LM.perplexity, dict(text="at"), dict(text="junk", context="junk"), name="NGramLM.perplexity"),
    Case(LM.next_probs, dict(ids=[0, 1]), dict(ids="junk"), name="NGramLM.next_probs"),
    Case(LM.encode, dict(text="the"), dict(text="junk"), name="NGramLM.encode"),
    Case(LM.decode, dict(ids=[0, 1]), dict(ids="junk"), name="NGramLM.decode"),
    Case(att.TransformerLayer.forward, dict(self=att.TransformerLayer(4, 2, seed=0), x=torch.ones(1, 3, 4)), dict(x="tensor", causal="junk", return_attention="junk")),
    Case(txt.apply_temperature, dict(p=P3, temperature=0.5), dict(p="array", temperature="number")),
    Case(txt.top_k_filter, dict(p=P3, k=2), dict(p="array", k="size")),
    Case(txt.top_p_filter, dict(p=P3, theta=0.6), dict(p="array", theta="number")),
    Case(txt.generate, dict(next_probs=three_tokens, prompt=[0, 1], n=3), dict(next_probs="function", prompt="array", n="size", strategy="choice", temperature="number", k="size", theta="number", width="size", seed="seed")),
    Case(txt.beam_search, dict(log_probs=log_three_tokens, prompt=[0], n=2), dict(log_probs="function", prompt="array", n="size", width="size")),
    # the KAN library
    Case(K.bspline_basis, dict(x=torch.linspace(-1, 1, 5, dtype=torch.float64), knots=KNOTS, k=3), dict(x="tensor", knots="tensor", k="size")),
    Case(K.bspline_basis, dict(x=[[0.1, 0.2]], knots=np.stack([KNOTS.numpy()] * 2), k=3), dict(x="array", knots="array"), name="bspline_basis(arrays)"),
    Case(K.uniform_knots, dict(grid=3, k=3), dict(grid="size", k="size", grid_range="junk", n="size", dtype="dtype")),
    Case(K.KANLayer, dict(in_dim=2, out_dim=2, grid=3), dict(in_dim="size", out_dim="size", generator="junk", **LAYER_KINDS)),
    Case(K.KANLayer.forward, dict(self=LAYER, x=KX), dict(x="tensor")),
    Case(K.KANLayer.features, dict(self=LAYER, x=KX), dict(x="tensor")),
    Case(K.KANLayer.basis, dict(self=LAYER, x=KX), dict(x="tensor")),
    Case(K.KANLayer.edge_activations, dict(self=LAYER, x=KX), dict(x="tensor")),
    Case(K.KANLayer.update_grid, dict(x=KX), dict(x="tensor", margin="number"), fresh=dict(self=kan_layer)),
    Case(K.KANLayer.refined, dict(self=LAYER, new_grid=4, x=KX), dict(new_grid="size", x="tensor", samples_per_interval="size")),
    Case(K.KAN, dict(width=[2, 2, 1], grid=3), dict(width="sizes", seed="seed", **LAYER_KINDS)),
    Case(K.KAN.forward, dict(self=KAN, x=KX), dict(x="tensor")),
    Case(K.KAN.layer_inputs, dict(self=KAN, x=KX), dict(x="tensor")),
    Case(K.KAN.layer_outputs, dict(self=KAN, x=KX), dict(x="tensor")),
    Case(K.KAN.n_params, dict(self=KAN), dict()),
    Case(K.KAN.refine, dict(self=KAN, new_grid=4), dict(new_grid="size")),
    Case(K.KAN.save, dict(self=KAN, path=os.path.join(KFOLDER.name, "saved.pt")), dict(path="path"), domain=(OSError,)),
    Case(K.KAN.load, dict(path=SAVED), dict(path="file", map_location="junk"), domain=(OSError,)),
    Case(K.KAN.edge_scores, dict(self=KAN, x=KX), dict(x="tensor")),
    Case(K.KAN.regularization, dict(self=KAN, x=KX), dict(x="tensor", lamb_l1="number", lamb_entropy="number")),
    Case(K.KAN.update_grid, dict(x=KX), dict(x="tensor", n_layers="size"), fresh=dict(self=kan)),
    Case(K.KAN.fit, dict(dataset=KDS, steps=2, progress=False), FIT_KINDS, fresh=dict(self=kan), domain=(FloatingPointError,)),
    Case(K.KAN.attribution_scores, dict(self=KAN, x=KX), dict(x="tensor")),
    Case(K.KAN.input_scores, dict(self=KAN, x=KX), dict(x="tensor")),
    Case(K.KAN.prune_input, dict(self=KAN, x=KX), dict(threshold="number", x="tensor")),
    Case(K.KAN.prune, dict(self=KAN, x=KX), dict(node_th="number", edge_th="number", x="tensor")),
    Case(K.KAN.suggest_symbolic, dict(self=KAN, l=0, i=1, j=0, lib=["x", "sin"], x=KX), dict(l="size", i="size", j="size", lib="junk", topk="size", x="tensor", verbose="junk")),
    Case(K.KAN.fix_symbolic, dict(l=1, i=0, j=0, name="x", x=KX), dict(l="size", i="size", j="size", name="choice", x="tensor"), fresh=dict(self=kan)),
    Case(K.KAN.unfix_symbolic, dict(l=0, i=1, j=1), dict(l="size", i="size", j="size"), fresh=dict(self=kan)),
    Case(K.KAN.auto_symbolic, dict(lib=["x"], x=KX), dict(lib="junk", x="tensor", verbose="junk"), fresh=dict(self=lambda: K.KAN([2, 1], grid=3, seed=0))),
    Case(K.KAN.fit_constants, dict(dataset=KDS, max_nfev=5), dict(dataset="dataset", max_nfev="size"), fresh=dict(self=symbolic_kan)),
    Case(K.KAN.symbolic_formula, dict(self=SYMBOLIC), dict(var_names="junk", digits="size")),
    Case(K.KAN.plot, dict(self=KAN, x=KX), dict(x="tensor", scale="number", title="junk", in_vars="junk", out_vars="junk", formulas="junk")),
    Case(K.fit_affine, dict(x=np.linspace(-1, 1, 8), y=np.sin(np.linspace(-1, 1, 8)), name="sin"), dict(x="array", y="array", name="choice", a_range="junk", b_range="junk", n_grid="size", zooms="size")),
    Case(K.tidy, dict(expr=K.SYMBOLIC_LIB["sin"].sympy(3.14159265358979)), dict(expr="junk", tolerance="number")),
    Case(K.poisson_solution, dict(x=PX), dict(x="tensor")),
    Case(K.poisson_source, dict(x=PX), dict(x="tensor")),
    Case(K.laplacian, dict(model=PMLP, x=PX), dict(model="junk", x="tensor")),
    Case(K.poisson_points, dict(n_interior=5, n_boundary=8), dict(n_interior="size", n_boundary="size", seed="seed", dtype="dtype")),
    Case(K.poisson_loss, dict(model=PMLP, x_interior=PX, x_boundary=PX), dict(model="junk", x_interior="tensor", x_boundary="tensor", alpha="number")),
    Case(K.fit_poisson, dict(model=PMLP, x_interior=PX, x_boundary=PX, steps=1), dict(model="junk", x_interior="tensor", x_boundary="tensor", steps="size", alpha="number", x_test="tensor", update_grid="junk", stop_grid_update_step="size", grid_update_every="size"), domain=(FloatingPointError,)),
    Case(LBFGS, dict(params=[torch.zeros(2, requires_grad=True)]), dict(params="junk", lr="number", max_iter="size", max_eval="size", history_size="size", tolerance_grad="number", tolerance_change="number", tolerance_ys="number")),
    Case(LBFGS.step, dict(self=LBFGS_STEP, closure=lbfgs_closure(LBFGS_STEP)), dict(closure="function")),
    # chapter 18: diffusion models
    Case(dif.schedule, dict(kind="linear", T=5), dict(kind="choice", T="size", beta_min="number", beta_max="number")),
    Case(dif.schedule, dict(kind="cosine", T=5), dict(T="size", beta_min="junk"), name="schedule(cosine)"),
    Case(dif.alpha_bars, dict(betas=BETAS_D), dict(betas="array")),
    Case(dif.diffusion_kernel, dict(x=X_D, t=3, betas=BETAS_D), dict(x="array", t="size", betas="array")),
    Case(dif.diffusion_kernel, dict(x=torch.tensor(X_D), t=3, betas=BETAS_D), dict(x="tensor"), name="diffusion_kernel(torch)"),
    Case(dif.diffuse, dict(x=X_D, t=3, betas=BETAS_D), dict(x="array", t="size", betas="array", seed="seed")),
    Case(dif.posterior_q, dict(x=X_D, z_t=X_D, t=3, betas=BETAS_D), dict(x="array", z_t="array", t="size", betas="array")),
    Case(dif.ddim_step, dict(z_t=X_D, eps=X_D, t=3, s=1, betas=BETAS_D), dict(z_t="array", eps="array", t="size", s="size", betas="array")),
    Case(dif.EpsMLP, dict(dim=2, T=5, n_classes=2, width=8, depth=1), dict(dim="size", T="size", n_classes="size", width="size", depth="size", time_features="size", label_features="size", seed="seed")),
    Case(dif.EpsMLP.forward, dict(self=EPS_D, z=torch.randn(3, 2), t=2, labels=[0, 1, 2]), dict(z="tensor", t="size", labels="junk")),
    Case(dif.fit_denoiser, dict(x=X_D, betas=BETAS_D, labels=[0, 1, 1], steps=2, batch=4), dict(model="junk", x="array", betas="array", labels="junk", steps="size", batch="size", lr="number", p_uncond="number", every="size", seed="seed", progress="junk"), fresh=dict(model=eps_net)),
    Case(dif.exact_denoiser, dict(mixture=MIX_D, betas=BETAS_D), dict(mixture="junk", betas="array")),
    Case(dif.ExactDenoiser, dict(mixture=MIX_D, betas=BETAS_D), dict(mixture="junk", betas="array")),
    Case(dif.model_denoiser, dict(model=EPS_D), dict(model="junk")),
    Case(dif.denoising_loss, dict(denoiser=EXACT_D, x=X_D, t=2, betas=BETAS_D), dict(denoiser="junk", x="array", t="size", betas="array", n_repeats="size", seed="seed")),
    Case(dif.sample_ddpm, dict(denoiser=EPS_D, betas=BETAS_D, n=4, labels=[0, 1, 0, 1], w=1.0), dict(denoiser="junk", betas="array", n="size", labels="junk", w="number", seed="seed", path="junk")),
    Case(dif.sample_ddim, dict(denoiser=EXACT_D, betas=BETAS_D, n=4, steps=2, labels=[0, 1, 0, 1], w=1.0, eta=0.5), dict(denoiser="junk", betas="array", n="size", steps="size", labels="junk", w="number", eta="number", seed="seed", path="junk")),
]
# fmt: on


# ------------------------------------------------------------------------------------------- bad values
def _numbers(a):
    return np.asarray(a, dtype=float) if not isinstance(a, torch.Tensor) else a


def bad_arrays(valid):
    a = np.asarray(_numbers(valid), dtype=float)
    t = torch.as_tensor(a)
    options = [
        a[None],  # one rank more
        a.reshape(-1)[:1].reshape(()) if a.size else np.float64(1.0),  # a single number
        np.empty((0,) + a.shape[1:]),
        np.full(a.shape or (1,), NAN),
        np.full(a.shape or (1,), INF),
        np.full(a.shape or (1,), -1e308),
        np.ones(a.shape[:-1] + (a.shape[-1] + 1,)) if a.ndim else np.ones(2),  # one entry more
        t.to("meta"),
        np.array(["a"] * max(a.size, 1)),
        t.to(torch.complex64) if a.size else t,
    ]
    return st.one_of(st.sampled_from(options), st.sampled_from(JUNK))


def bad_tensors(valid):
    options = [
        valid[None],
        valid.reshape(-1)[:1].reshape(()),
        valid[:0],
        valid.detach().numpy(),
        valid.to("meta"),
        (valid.float() * NAN) if valid.is_floating_point() else valid.float() * NAN,
        valid.long() if valid.is_floating_point() else valid.double(),
    ]
    return st.one_of(st.sampled_from(options), st.sampled_from(JUNK))


def bad_datasets(valid):
    def replaced(key, value):
        return {**valid, key: value}

    x, y = valid["train_input"], valid["train_label"]
    options = [
        {k: v for k, v in valid.items() if k != "test_label"},
        replaced("train_label", y[:, 0]),  # 1-D labels
        replaced("train_label", y * NAN),
        replaced("test_input", valid["test_input"] * INF),
        replaced("train_label", y[:-1]),  # one label short
        replaced("train_input", torch.cat([x, x[:, :1]], 1)),  # a column more than the network reads
        replaced("train_input", x.long()),
        replaced("train_input", x.to("meta")),
        replaced("train_input", x.numpy()),
        replaced("train_label", torch.cat([y, y], 1)),  # two outputs' labels for one output
        replaced("test_label", "labels"),
        list(valid.values()),
    ]
    return st.one_of(st.sampled_from(options), st.sampled_from(JUNK))


BAD_SIZES = [0, -1, -(2**63), 2.5, True, NAN, INF, 10**9, 2**63, "3", np.float64(1.5)]
BAD_NUMBERS = [NAN, INF, -INF, "1.0", True, np.array([1.0, 2.0]), torch.tensor(1.0, device="meta"), 1e308, -1e308]
STRATEGIES = {
    "size": lambda v: st.one_of(st.sampled_from(BAD_SIZES), st.integers(max_value=0), st.sampled_from(JUNK)),
    "sizes": lambda v: st.one_of(
        st.sampled_from([[], [3], [3, 0], [3, -2], [3, 2.5], "32", [3, 10**9]]), st.sampled_from(JUNK)
    ),
    "number": lambda v: st.one_of(st.sampled_from(BAD_NUMBERS), st.floats(allow_nan=True), st.sampled_from(JUNK)),
    "seed": lambda v: st.one_of(st.sampled_from([-1, 2.5, "0", NAN, [1, -2], []]), st.sampled_from(JUNK)),
    "choice": lambda v: st.one_of(st.sampled_from(["nope", "", "RELU", 3]), st.sampled_from(JUNK)),
    "function": lambda v: st.sampled_from([3, "f", [np.sin], np.zeros(2)] + JUNK[1:]),
    "dtype": lambda v: st.sampled_from([torch.int64, torch.bool, np.float64, "float32", torch.complex64] + JUNK[1:]),
    "junk": lambda v: st.sampled_from(JUNK + [np.ones(3), -1, 2.5, [(np.ones(2), np.ones(2))]]),
    "array": bad_arrays,
    "tensor": bad_tensors,
    "dataset": bad_datasets,
    # paths: what is not one, or where no file can be written (a relative name would write into the test's folder)
    "path": lambda v: st.sampled_from(
        [None, 3, b"model.pt", object(), ["model.pt"], os.path.join(KFOLDER.name, "no", "m.pt"), KFOLDER.name]
    ),
    "file": lambda v: st.sampled_from(BAD_FILES + [None, 3, b"model.pt", ["model.pt"]]),
}


def call(case: Case, args: dict):
    fn = case.fn
    if case.name == "deep.compose":
        return fn(*args["functions"]) if isinstance(args["functions"], (tuple, list)) else fn(args["functions"])
    if case.name == "figures.show":
        controls = args["controls"]
        return fn(args["build"], *(controls if isinstance(controls, (tuple, list)) else (controls,)))
    args = {**{name: make() for name, make in case.fresh.items()}, **args}
    if "self" in args:  # a method: its object goes first (torch's optimizers read it from there)
        return fn(args.pop("self"), **args)
    return fn(**args)


# ---------------------------------------------------------------------------------------------- the tests
def public_methods(cls):
    """The public methods (functions, static and class methods) that kan_edu defines for ``cls`` or its bases."""
    for klass in cls.__mro__:
        if klass.__module__.startswith("kan_edu."):
            for attr, value in vars(klass).items():
                if not attr.startswith("_") and (
                    inspect.isfunction(value) or isinstance(value, (staticmethod, classmethod))
                ):
                    yield attr, getattr(value, "__func__", value)


def public_callables():
    for name in kan_edu.__all__:
        if name in SKIPPED_MODULES:
            continue
        module = importlib.import_module(f"kan_edu.{name}")
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if callable(obj) and not (inspect.isclass(obj) and issubclass(obj, BaseException)):
                yield f"{name}.{attr}", obj
                if inspect.isclass(obj):
                    for method, fn in public_methods(obj):
                        yield f"{name}.{attr}.{method}", fn


def test_every_public_function_is_fuzzed():
    fuzzed = {id(case.fn) for case in CASES} | {id(getattr(case.fn, "__func__", None)) for case in CASES}
    missing = [name for name, obj in public_callables() if id(obj) not in fuzzed]
    assert not missing, f"add a Case for {missing} to tests/package/test_fuzz.py"


def test_every_case_is_a_valid_call():
    for case in CASES:
        call(case, dict(case.args))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_wrong_argument_is_named(case, data, tmp_path_factory):
    if not case.kinds:
        return
    name = data.draw(st.sampled_from(sorted(case.kinds)), label="argument")
    valid = case.args.get(
        name,
        inspect.signature(case.fn).parameters[name].default if name in inspect.signature(case.fn).parameters else None,
    )
    bad = data.draw(STRATEGIES[case.kinds[name]](valid), label="value")
    args = {**case.args, name: bad}
    cwd = os.getcwd()
    folder = tmp_path_factory.mktemp("fuzz")
    os.chdir(folder)
    try:
        call(case, args)
    except case.domain:
        pass
    except (ValueError, TypeError) as err:
        message = str(err)
        assert name in message, (
            f"{case.name}({name}={bad!r:.80}) raised {type(err).__name__} without naming {name}: {message}"
        )
    except Exception as err:  # noqa: BLE001 - what the test is about
        pytest.fail(f"{case.name}({name}={bad!r:.80}) raised a bare {type(err).__name__}: {err}")
    finally:
        os.chdir(cwd)
        written = list(folder.iterdir())
    assert not written, f"{case.name} wrote {written}"


def test_meta_tensors_and_mixed_devices_get_a_clear_error():
    model = torch.nn.Linear(3, 2, device="meta")
    with pytest.raises(ValueError, match="x is on cpu but the model is on meta"):
        train.fit(model, CE, XTRAIN, YTRAIN, epochs=1)
    with pytest.raises(ValueError, match="x is on meta"):
        BN.forward(XT.to("meta"))
    with pytest.raises(ValueError, match="h is a tensor on the meta device"):
        isometry.isometry_gap(XT.to("meta"))
    assert math.isfinite(isometry.isometry_gap(XT[:3]))
