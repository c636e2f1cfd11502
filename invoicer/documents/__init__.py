"""Documents produced from plain data handed over by the services: PDFs, Factur-X XML, QR codes, tables."""
