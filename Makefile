# kan_edu: the two commands of the README are `make book` and `make test`. Everything else is set-up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# One thread per process: on 2 cores torch with 2 threads under load was 25-60x slower (measured on a shared CI machine).
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYTHONHASHSEED  := 0

CHAPTERS := $(wildcard book/*.md) book/references.bib _config.yml _toc.yml $(wildcard book/_ext/*.py)
PACKAGE  := $(wildcard kan_edu/*.py kan_edu/*/*.py)

.PHONY: book test lint lab student sync publish venv vendor colab-env test-colab clean help

help:
	@echo "make book     build the book into _build/html (creates .venv, installs, executes every chapter)"
	@echo "make test     run the whole test suite (builds the book first if it is out of date)"
	@echo "make lint     ruff: lint and format check (the first step of make test)"
	@echo "make lab      JupyterLab on the chapter notebooks"
	@echo "make student  student notebooks, solutions removed, in _build/student"
	@echo "make sync     rewrite notebooks and README links from _config.yml (REPO=url BRANCH=name change it first)"
	@echo "make publish  build the book and push it to the gh-pages branch of REMOTE (default origin)"

# ------------------------------------------------------------------ environment
# constraints.txt pins every package to the versions the shipped sweeps and the tests were measured with.
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# A CPU torch where one is at hand (this machine keeps a wheel on disk); otherwise pip picks one.
	$(PY) -m pip install -q "torch==2.13.0" || echo "no local CPU torch 2.13.0: pip will choose torch"
	$(PY) -m pip install -q -e ".[book,test]" -c constraints.txt
	touch $@

venv: $(VENV)/.installed

_vendor/.stamp: tools/vendor.sh
	bash tools/vendor.sh _vendor

vendor: _vendor/.stamp

# ------------------------------------------------------------------ the book
# The repository setting (_config.yml) drives the install cells, the buttons and the README links; REPO= and
# BRANCH= change it first (make sync REPO=https://github.com/you/kan_edu, make sync BRANCH=a-tag).
sync: venv
	$(PY) tools/links.py sync $(if $(REPO),--url "$(REPO)") $(if $(BRANCH),--branch "$(BRANCH)")
	$(PY) tools/notebooks.py sync

# 1. execute the chapters that changed (or whose kan_edu code changed), in parallel, into the execution cache;
# 2. render the site from that cache, incrementally: only changed or re-executed pages are read again
#    (-W: a warning, such as a glued name the run did not make, fails; a clean clone builds everything);
# 3. keep the glued values in book/glue/ and sync the notebooks, their text with them (Colab has no myst-nb).
_build/html/index.html: $(CHAPTERS) $(PACKAGE) _vendor/.stamp $(VENV)/.installed
	$(PY) tools/notebooks.py sync --before-build
	$(PY) tools/execute.py
	KAN_EDU_FIGURES=static $(BIN)/jupyter-book build . -W -n --keep-going
	$(PY) tools/notebooks.py glue _build
	touch $@

book: _build/html/index.html
	@echo "book: _build/html/index.html"

# ------------------------------------------------------------------ tests
# ruff lints and checks the formatting (settings in pyproject.toml); `ruff format .` fixes the formatting.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint book colab-env
	$(PY) -m pytest

# ipywidgets 7.7.1 / IPython 7.34, Colab's widget stack, in its own environment.
$(VENV)-colab/.installed: pyproject.toml
	test -x $(VENV)-colab/bin/python || $(PYTHON) -m venv $(VENV)-colab
	$(VENV)-colab/bin/python -m pip install -q --upgrade pip
	$(VENV)-colab/bin/python -m pip install -q "torch==2.13.0" || echo "no local CPU torch 2.13.0: pip will choose torch"
	$(VENV)-colab/bin/python -m pip install -q -e . "ipywidgets==7.7.1" "ipython==7.34.0" "ipykernel>=6,<7" \
		nbclient nbformat jupytext pyyaml
	touch $@

# Its python as a Jupyter kernel, "kan-edu-colab", kept inside .venv-colab (tests/book/test_colab_stack.py finds it
# there; nothing is written to the system or user Jupyter folders).
COLAB_KERNEL := $(VENV)-colab/share/jupyter/kernels/kan-edu-colab/kernel.json
$(COLAB_KERNEL): $(VENV)-colab/.installed
	$(VENV)-colab/bin/python -m ipykernel install --prefix "$(abspath $(VENV)-colab)" --name kan-edu-colab \
		--display-name "Python 3 (Colab stack: ipywidgets 7.7.1)"
	touch $@

colab-env: $(COLAB_KERNEL)

# The chapters under Colab's widget stack only (a part of `make test`).
test-colab: venv colab-env
	$(PY) -m pytest -m colab

# ------------------------------------------------------------------ for people
lab: venv sync
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

student: venv
	$(PY) tools/notebooks.py student _build/student

# The built site to the gh-pages branch of REMOTE (a remote's name, a URL or a path), which GitHub Pages serves.
REMOTE ?= origin
publish: book
	$(PY) tools/publish.py _build/html --remote "$(REMOTE)"

clean:
	rm -rf _build _vendor
