"""Field extraction: locators, the ICAO MRZ, PDF417/AAMVA barcodes and value normalisers."""
