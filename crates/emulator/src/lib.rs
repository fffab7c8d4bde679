//! Runs an API Gateway REST API and the Express workflows it starts, locally, from the
//! final CloudFormation template (long form), so that a team construct or a hand-written
//! template is emulated exactly as the template says, not as a construct's props meant.
//!
//! The path of a request: [`Model::read`] finds each REST API's routes, methods and
//! integrations and each state machine; [`Emulator::invoke`] matches the route, notes the
//! authorization, validates required parameters, renders the request mapping template
//! (`stackweave-vtl`), answers StartSyncExecution by running the state machine with mocked
//! Task states (`stackweave-asl`), picks the integration response and renders its template,
//! recording every step in a [`Trace`]. [`cases`] reads the test case and mocks files,
//! [`run_cases`] runs a case file, and [`server`] answers real HTTP on 127.0.0.1.
//!
//! What this crate is not: it does not call AWS, enforce authorizers, IAM or throttling, or
//! synthesise stacks (the CLI hands it a template). docs/local.md lists what is emulated.

pub mod cases;
mod error;
mod exchange;
mod model;
mod pattern;
mod pipeline;
mod resolve;
mod run;
pub mod server;
mod sync;
mod trace;

pub use cases::{Case, CaseFile, Expect, parse_cases, parse_mocks};
pub use error::{EmulationError, ModelError};
pub use exchange::{Request, Response, parse_query, percent_decode, reason};
pub use model::{Api, Machine, Method, Model, Route, Stage};
pub use pattern::Pattern;
pub use pipeline::{Emulator, Invocation, REQUEST_ID};
pub use resolve::Environment;
pub use run::{CaseResult, Mismatch, RunReport, Verdict, compare, run_cases};
pub use stackweave_asl::{MockResponse, Mocks};
pub use sync::{EXECUTION_NAME, START_TIME};
pub use trace::Trace;
