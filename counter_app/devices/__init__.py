"""Hardware adapters over pyserial: QR/barcode scanners (ticket printers and LED boards later)."""
