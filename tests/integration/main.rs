//! End-to-end tests: the real `stackweave` binary, the real standard plugins (built from
//! `plugins/` and embedded), and test plugins built from `tests/plugins/`.

#[macro_use]
mod support;

mod cache;
mod compose;
mod example;
mod lock;
mod merge_errors;
mod new;
mod parallel;
mod plugin_files;
mod python;
mod sandbox;
mod stack_errors;
mod team_construct;
