from kyc_ocr.cli import run

run()
