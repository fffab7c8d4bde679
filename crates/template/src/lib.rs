//! CloudFormation templates for Stackweave: logical ids, construct fragments, string
//! interpolation, merging fragments into one template, reference and quota checks, and
//! YAML / JSON output.
//!
//! This crate knows CloudFormation and nothing else. It never runs plugins, never reads
//! or writes files, and never knows the stack-file format: the orchestrator hands it
//! fragments (JSON text a plugin returned), parameter and output declarations, pins and
//! quotas, and gets back a checked template or typed errors naming who caused them.
//!
//! Merging is deterministic: the same calls in the same order give a byte-identical
//! template.

pub mod emit;
pub mod fragment;
pub mod interpolate;
pub mod logical_id;
pub mod merge;
mod refs;
mod strict_json;

pub use serde_json::{Map, Value};

pub use fragment::{Fragment, FragmentError};
pub use interpolate::{Piece, interpolate};
pub use logical_id::{PSEUDO_PARAMETERS, is_pseudo_parameter, is_valid_logical_id, logical_id};
pub use merge::{Format, MergeError, Owner, Quotas, RefKind, Template, TemplateBuilder};
pub use refs::{Reference, intrinsic_function, malformed_intrinsic, referenced_ids, references};
pub use stackweave_location::{SHOWN_CHARS, shortened, visible};
pub use strict_json::parse_value;
