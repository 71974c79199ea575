//! Token introspection (RFC 7662).
