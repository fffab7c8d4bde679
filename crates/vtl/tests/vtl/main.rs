//! The crate's one integration-test binary: the differential test against Apache Velocity
//! 1.7 over the corpus (`oracle`), the API and limits (`rendering`), and hostile inputs
//! (`hostile`).

mod corpus;
mod hostile;
mod oracle;
mod rendering;
