//! The integration tests of stackweave-jsonata: one binary, one module per concern.

mod api;
mod differential;
mod hostile;
