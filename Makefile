# parley: `make run` and `make test` are all a fresh machine needs.
# The environment (.venv) is made on first use from pyproject.toml + constraints.txt (pinned).

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM := chromium
# root installs Debian packages directly; anyone else through sudo
APT_GET := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)

# A Python 3.12 interpreter: python3.12 on PATH, else a pyenv-installed 3.12.
PYTHON312 := $(shell for c in python3.12 $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12 2>/dev/null); do \
	if $$c -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then echo $$c; break; fi; done)

.PHONY: run test bench sensitivity env clean

env: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON312)" || { echo "parley needs Python 3.12 (python3.12 not found)"; exit 2; }
	test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dask,test,viz]'
	@# the page's browser test drives Debian's chromium (playwright's own browsers are a download)
	command -v $(CHROMIUM) >/dev/null || $(APT_GET) install -y --no-install-recommends chromium >/dev/null \
		|| { $(APT_GET) update >/dev/null && $(APT_GET) install -y --no-install-recommends chromium >/dev/null; }
	touch $(STAMP)

run: $(STAMP)
	$(PY) run.py default

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m benchmarks

# The committed sensitivity record (docs/sensitivity/) that the report reads: each shipped
# counterfactual's headline effect, every calibrated parameter screened at 64 base points, then
# the 15 of largest total index (the rest as one group) at SENS_N base points; the two halts to
# the strikes at SENS_N_HALT, for total indices to within +-0.05. About 9 minutes on 2 cores.
SENS_N := 1024
SENS_N_HALT := 4096
SENS := $(PY) run.py sensitivity --screen 15 --workers 2 --quiet --record --scenarios
sensitivity: $(STAMP)
	$(SENS) geneva_2016_02,geneva_2016_02_no_strikes --n $(SENS_N_HALT)
	$(SENS) ceasefire_2016_09,ceasefire_2016_09_no_strikes --n $(SENS_N_HALT)
	$(SENS) geneva_2016_02,geneva_2016_02_no_strikes_from_talks --n $(SENS_N)
	$(SENS) geneva_2016_02,geneva_2016_02_envoy_never_pauses --n $(SENS_N)
	$(SENS) geneva_2016_02,geneva_2016_02_no_preconditions --n $(SENS_N)
	$(SENS) geneva_2016_02,geneva_2016_02_turkey_backs --n $(SENS_N)
	$(SENS) geneva_2016_02,geneva_2016_02_us_pressure --n $(SENS_N)
	$(SENS) ceasefire_2016_09,ceasefire_2016_09_no_strikes_from_ceasefire --n $(SENS_N)
	$(SENS) ceasefire_2016_09,ceasefire_2016_09_jic --n $(SENS_N)
	$(SENS) ceasefire_2016_09,ceasefire_2016_09_us_pressure --n $(SENS_N)

clean:
	rm -rf $(VENV) build *.egg-info
