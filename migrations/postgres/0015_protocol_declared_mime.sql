-- The media type a caller declared for a registered document, kept only when it disagrees with the type
-- read from the bytes (which is what mime_type holds and what a download is served as). A registry must
-- register what arrives, so a mismatch is recorded, not refused; NULL means the two agreed or the caller
-- declared nothing. Issue 10: a declared type once reached the Content-Type header verbatim.
ALTER TABLE protocol_documents ADD COLUMN declared_mime_type TEXT;
