#pragma once
// What a phone or a PSP's scanner reads on a printed document (payment notices, the digital stamp's
// code): the PDF rasterised with pdftoppm (poppler-utils) and every QR code on each page decoded with
// zbarimg (zbar-tools).
#include <string>
#include <vector>

namespace sp::testing {

// The payloads of the QR codes found on each page, page by page (zbarimg's order within a page). Fails the
// test when pdftoppm cannot rasterise the PDF or zbarimg cannot run.
std::vector<std::vector<std::string>> scan_qr_codes(const std::string& pdf, int dpi = 150);

// When SPORTELLO_PAYMENTS_PDF_DIR is set, writes `pdf` there as `name` (to be looked at); otherwise nothing.
void keep_pdf(const std::string& name, const std::string& pdf);

}  // namespace sp::testing
