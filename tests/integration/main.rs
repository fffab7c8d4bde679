//! End-to-end tests: the real `stackweave` binary, the real standard plugins (built from
//! `plugins/` and embedded), and test plugins built from `tests/plugins/`.

#[macro_use]
mod support;

mod app_diff;
mod app_graph;
mod apps;
mod budget;
mod cache;
mod check;
mod compose;
mod deploy;
mod diff;
mod example;
mod graph;
mod input_bounds;
mod local;
mod lock;
mod merge_errors;
mod new;
mod orders_api;
mod out_folder;
mod overrides;
mod parallel;
mod plain_resources;
mod plugin_files;
mod plugins_show;
mod python;
mod quoting;
mod routes;
mod sandbox;
mod sarif;
mod stack_errors;
mod team_construct;
mod tidy;
mod validate;
mod validator_plugins;
mod workflow_roles;
