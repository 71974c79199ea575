//! Access-review report.
